//! Users, organizations and tokens (configured at start, kept in memory) and access rules.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use http::HeaderMap;

use crate::api::error::HubError;
use crate::storage::RepoRecord;

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Read public repos and the user's private repos.
    Read,
    /// Also create, change and delete repos in the user's namespaces.
    Write,
}

impl Role {
    /// The wire name (`read`, `write`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Read => "read",
            Role::Write => "write",
        }
    }
}

#[derive(Debug, Clone)]
struct TokenInfo {
    user: String,
    role: Role,
    display_name: String,
}

/// The identity behind a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// No `Authorization` header.
    Anonymous,
    /// A valid token.
    User {
        /// User name.
        name: String,
        /// Token role.
        role: Role,
        /// Token display name.
        token_name: String,
    },
}

impl Caller {
    /// The user name, if authenticated.
    pub fn user(&self) -> Option<&str> {
        match self {
            Caller::Anonymous => None,
            Caller::User { name, .. } => Some(name),
        }
    }
}

/// Users, tokens and organizations of a hub.
///
/// `Debug` shows the users and organizations, never the tokens.
#[derive(Clone, Default)]
pub struct AuthConfig {
    users: BTreeSet<String>,
    tokens: HashMap<String, TokenInfo>,
    orgs: BTreeMap<String, BTreeSet<String>>,
    /// Roles in organizations other than the default `admin` (issue 11), by (org, user).
    org_roles: BTreeMap<(String, String), String>,
}

impl std::fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthConfig")
            .field("users", &self.users)
            .field("orgs", &self.orgs)
            .field("tokens", &format_args!("<{} redacted>", self.tokens.len()))
            .finish()
    }
}

impl AuthConfig {
    /// Adds a user with a write token.
    pub fn add_user(&mut self, name: &str, token: &str) {
        self.users.insert(name.to_owned());
        self.tokens.insert(
            token.to_owned(),
            TokenInfo {
                user: name.to_owned(),
                role: Role::Write,
                display_name: format!("{name}-write"),
            },
        );
    }

    /// Adds a read-only token for a user (the user is created if unknown).
    pub fn add_read_token(&mut self, name: &str, token: &str) {
        self.users.insert(name.to_owned());
        self.tokens.insert(
            token.to_owned(),
            TokenInfo {
                user: name.to_owned(),
                role: Role::Read,
                display_name: format!("{name}-read"),
            },
        );
    }

    /// Adds an organization with its members.
    pub fn add_org(&mut self, org: &str, members: impl IntoIterator<Item = String>) {
        self.orgs.entry(org.to_owned()).or_default().extend(members);
    }

    /// Adds `user` to `org` with `role` (`admin`, `write`, `contributor` or `read`; shown by the
    /// member listing and `whoami`). Write rules stay as for every member.
    pub fn add_org_member(&mut self, org: &str, user: &str, role: &str) {
        self.add_org(org, [user.to_owned()]);
        self.org_roles
            .insert((org.to_owned(), user.to_owned()), role.to_owned());
    }

    /// The role of `user` in `org` (`admin` unless set by [`add_org_member`](Self::add_org_member)).
    pub fn org_role(&self, org: &str, user: &str) -> &str {
        self.org_roles
            .get(&(org.to_owned(), user.to_owned()))
            .map_or("admin", String::as_str)
    }

    /// The members of `org`, sorted; `None` when `org` is not an organization.
    pub fn org_members(&self, org: &str) -> Option<Vec<String>> {
        self.orgs.get(org).map(|m| m.iter().cloned().collect())
    }

    /// True when `name` is a known organization.
    pub fn is_org(&self, name: &str) -> bool {
        self.orgs.contains_key(name)
    }

    /// True when `name` is a known user.
    pub fn is_user(&self, name: &str) -> bool {
        self.users.contains(name)
    }

    /// Organizations `user` belongs to.
    pub fn orgs_of(&self, user: &str) -> Vec<String> {
        self.orgs
            .iter()
            .filter(|(_, m)| m.contains(user))
            .map(|(o, _)| o.clone())
            .collect()
    }

    /// True when `user` is `namespace` or a member of the organization `namespace`.
    pub fn owns_namespace(&self, user: &str, namespace: &str) -> bool {
        user == namespace || self.orgs.get(namespace).is_some_and(|m| m.contains(user))
    }

    /// Identifies the caller from the `Authorization` header; unknown tokens are a 401.
    pub fn authenticate(&self, headers: &HeaderMap) -> Result<Caller, HubError> {
        let Some(value) = headers.get(http::header::AUTHORIZATION) else {
            return Ok(Caller::Anonymous);
        };
        let value = value.to_str().unwrap_or("");
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .unwrap_or("")
            .trim();
        match self.tokens.get(token) {
            Some(t) => Ok(Caller::User {
                name: t.user.clone(),
                role: t.role,
                token_name: t.display_name.clone(),
            }),
            None => Err(HubError::invalid_credentials()),
        }
    }

    /// True when the caller may see `repo` (public, or private and owned).
    pub fn can_read(&self, caller: &Caller, repo: &RepoRecord) -> bool {
        !repo.private
            || caller
                .user()
                .is_some_and(|u| self.owns_namespace(u, &repo.namespace))
    }

    /// Checks write access to `namespace`, with the Hub's statuses (401 anonymous, 403 otherwise).
    pub fn require_write(&self, caller: &Caller, namespace: &str) -> Result<String, HubError> {
        match caller {
            Caller::Anonymous => Err(HubError::unauthorized(
                "You must be authenticated to do this",
            )),
            Caller::User {
                role: Role::Read, ..
            } => Err(HubError::forbidden(
                "You don't have the rights to perform this action: this token is read-only",
            )),
            Caller::User { name, .. } if !self.owns_namespace(name, namespace) => {
                Err(HubError::forbidden(format!(
                    "You don't have the rights to write in the namespace \"{namespace}\""
                )))
            }
            Caller::User { name, .. } => Ok(name.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_a_token() {
        let mut auth = AuthConfig::default();
        auth.add_user("alice", "hf_secret_write");
        auth.add_read_token("alice", "hf_secret_read");
        let debug = format!("{auth:?}");
        assert!(!debug.contains("hf_secret"), "{debug}");
        assert!(debug.contains("alice"), "{debug}");
        let builder = crate::LocalHub::builder().user("bob", "hf_secret_bob");
        assert!(!format!("{builder:?}").contains("hf_secret"));
    }
}
