//! Users, organizations and `whoami` (protocol §9.6).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

use super::open_enum::open_enum;

open_enum! {
    /// Kind of account.
    pub enum AccountType {
        /// A user.
        User => "user",
        /// An organization.
        Org => "org",
        /// An OAuth / app identity.
        App => "app",
    }
}

open_enum! {
    /// Role of an access token.
    pub enum TokenRole {
        /// Read access.
        Read => "read",
        /// Write access.
        Write => "write",
        /// Fine-grained token: see [`AccessTokenInfo::fine_grained`].
        FineGrained => "fineGrained",
    }
}

/// A user profile (`/api/users/{u}/overview`, members and followers listings).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct User {
    /// Username (unique).
    #[serde(rename = "user")]
    pub username: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fullname: Option<String>,
    /// Avatar URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    /// Kind of account (`user`).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub user_type: Option<AccountType>,
    /// Object id (24 hex).
    #[serde(rename = "_id", default, skip_serializing_if = "Option::is_none")]
    pub object_id: Option<String>,
    /// Profile text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// Whether the caller follows this user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_following: Option<bool>,
    /// PRO subscriber.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_pro: Option<bool>,
    /// Models owned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_models: Option<u64>,
    /// Datasets owned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_datasets: Option<u64>,
    /// Spaces owned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_spaces: Option<u64>,
    /// Discussions opened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_discussions: Option<u64>,
    /// Papers authored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_papers: Option<u64>,
    /// Upvotes received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_upvotes: Option<u64>,
    /// Likes given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_likes: Option<u64>,
    /// Accounts followed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_following: Option<u64>,
    /// Followers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_followers: Option<u64>,
    /// Organizations the user belongs to (`None` when the answer does not list them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orgs: Option<Vec<Organization>>,
    /// Account creation date.
    #[serde(
        default,
        with = "crate::timestamp::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_at: Option<OffsetDateTime>,
}

/// An organization profile (`/api/organizations/{org}/overview`, or as listed in a user).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Organization {
    /// Organization name (unique).
    pub name: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fullname: Option<String>,
    /// Avatar URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// Verified organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_verified: Option<bool>,
    /// Whether the caller follows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_following: Option<bool>,
    /// Members.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_users: Option<u64>,
    /// Models owned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_models: Option<u64>,
    /// Spaces owned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_spaces: Option<u64>,
    /// Datasets owned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_datasets: Option<u64>,
    /// Followers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_followers: Option<u64>,
}

/// The caller's identity (`GET /api/whoami-v2`).
///
/// ```
/// use hf_types::{AccountType, TokenRole, WhoAmI};
///
/// let me: WhoAmI = serde_json::from_str(r#"{"type": "user", "id": "6273f303f6d63a28483fde12", "name": "alice",
///   "auth": {"type": "access_token", "accessToken": {"displayName": "laptop", "role": "write",
///   "createdAt": "2024-01-01T00:00:00.000Z"}}}"#)?;
/// assert_eq!(me.account_type, Some(AccountType::User));
/// assert_eq!(me.token_role(), Some(&TokenRole::Write));
/// assert_eq!(me.token_name(), Some("laptop"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct WhoAmI {
    /// Username or organization/app name: the default namespace for a user.
    pub name: String,
    /// Kind of account.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub account_type: Option<AccountType>,
    /// Account id (24 hex).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fullname: Option<String>,
    /// Email address (absent for tokens without that scope).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Whether the email is verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    /// Has a payment method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub can_pay: Option<bool>,
    /// PRO subscriber.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_pro: Option<bool>,
    /// End of the billing period (kept raw: its type is not pinned down).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_end: Option<Value>,
    /// Avatar URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    /// Organizations the account belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orgs: Option<Vec<WhoAmIOrg>>,
    /// How the request was authenticated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<AuthInfo>,
}

impl WhoAmI {
    /// The token's role, when the answer carries one.
    pub fn token_role(&self) -> Option<&TokenRole> {
        self.auth.as_ref()?.access_token.as_ref()?.role.as_ref()
    }

    /// The token's name (`displayName`), when the answer carries one.
    pub fn token_name(&self) -> Option<&str> {
        self.auth
            .as_ref()?
            .access_token
            .as_ref()?
            .display_name
            .as_deref()
    }
}

/// An organization as listed in `whoami`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct WhoAmIOrg {
    /// Organization name.
    pub name: String,
    /// Kind of account (`org`).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub account_type: Option<AccountType>,
    /// Organization id (24 hex).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fullname: Option<String>,
    /// Contact email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Has a payment method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub can_pay: Option<bool>,
    /// End of the billing period (raw).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_end: Option<Value>,
    /// Avatar URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    /// The caller's role in the organization, e.g. `admin`, `write`, `read`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_in_org: Option<String>,
    /// Enterprise organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_enterprise: Option<bool>,
}

/// The `auth` block of `whoami`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AuthInfo {
    /// `access_token`, `app_token` or `app_token_as_user`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub auth_type: Option<String>,
    /// The token used (OAuth/app tokens may lack it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<AccessTokenInfo>,
}

/// The access token described by `whoami` (never the secret itself).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AccessTokenInfo {
    /// The token's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The token's role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<TokenRole>,
    /// When the token was created.
    #[serde(
        default,
        with = "crate::timestamp::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_at: Option<OffsetDateTime>,
    /// Scoped permissions of a fine-grained token (structure not pinned down; raw).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fine_grained: Option<Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const WHOAMI: &str = r#"{"type": "user", "id": "6273f303f6d63a28483fde12", "name": "alice", "fullname": "Alice",
     "email": "alice@example.com", "emailVerified": true, "canPay": false, "isPro": false, "periodEnd": null,
     "avatarUrl": "https://example.com/a.png",
     "orgs": [{"type": "org", "id": "5e67bd5b1009063689407478", "name": "acme", "fullname": "ACME", "email": null,
               "canPay": false, "periodEnd": null, "avatarUrl": "https://example.com/o.png", "roleInOrg": "admin", "isEnterprise": false}],
     "auth": {"type": "access_token",
              "accessToken": {"displayName": "laptop", "role": "write", "createdAt": "2024-01-01T00:00:00.000Z"}}}"#;

    #[test]
    fn whoami_user() {
        let me: WhoAmI = serde_json::from_str(WHOAMI).unwrap();
        assert_eq!(me.name, "alice");
        assert_eq!(me.account_type, Some(AccountType::User));
        assert_eq!(me.email_verified, Some(true));
        assert_eq!(me.period_end, None);
        let orgs = me.orgs.as_ref().unwrap();
        assert_eq!(orgs[0].name, "acme");
        assert_eq!(orgs[0].account_type, Some(AccountType::Org));
        assert_eq!(orgs[0].role_in_org.as_deref(), Some("admin"));
        assert_eq!(orgs[0].email, None);
        let auth = me.auth.as_ref().unwrap();
        assert_eq!(auth.auth_type.as_deref(), Some("access_token"));
        let token = auth.access_token.as_ref().unwrap();
        assert_eq!(token.created_at.unwrap().unix_timestamp(), 1_704_067_200);
        assert_eq!(me.token_role(), Some(&TokenRole::Write));
        assert_eq!(me.token_name(), Some("laptop"));
    }

    #[test]
    fn whoami_app_and_fine_grained() {
        let app: WhoAmI = serde_json::from_str(
            r#"{"type": "app", "name": "my-app", "auth": {"type": "app_token"}}"#,
        )
        .unwrap();
        assert_eq!(app.account_type, Some(AccountType::App));
        assert_eq!(app.token_role(), None);
        let fg: WhoAmI = serde_json::from_str(
            r#"{"type": "user", "name": "bob", "auth": {"type": "access_token", "accessToken":
                {"displayName": "ci", "role": "fineGrained", "fineGrained": {"scoped": [], "global": ["inference.serverless.write"]}}}}"#,
        )
        .unwrap();
        assert_eq!(fg.token_role(), Some(&TokenRole::FineGrained));
        let token = fg.auth.as_ref().unwrap().access_token.as_ref().unwrap();
        assert_eq!(
            token.fine_grained.as_ref().unwrap()["global"][0],
            "inference.serverless.write"
        );
        let unknown: WhoAmI =
            serde_json::from_str(r#"{"name": "c", "auth": {"accessToken": {"role": "admin"}}}"#)
                .unwrap();
        assert_eq!(
            unknown.token_role(),
            Some(&TokenRole::Other("admin".into()))
        );
    }

    #[test]
    fn user_overview_and_listing_items() {
        let user: User = serde_json::from_str(
            r#"{"_id": "5dd96eb166059660ed1ee413", "user": "julien-c", "fullname": "Julien Chaumond", "avatarUrl": "https://example.com/j.png",
             "type": "user", "isPro": true, "details": "hi", "isFollowing": false,
             "numModels": 100, "numDatasets": 20, "numSpaces": 30, "numDiscussions": 50, "numPapers": 3, "numUpvotes": 400,
             "numLikes": 900, "numFollowing": 310, "numFollowers": 2000,
             "orgs": [{"name": "huggingface", "fullname": "Hugging Face", "avatarUrl": "https://example.com/h.png"}],
             "createdAt": "2019-11-24T00:00:00.000Z", "somethingNew": 1}"#,
        )
        .unwrap();
        assert_eq!(user.username, "julien-c");
        assert_eq!(user.user_type, Some(AccountType::User));
        assert_eq!(user.num_followers, Some(2000));
        assert_eq!(user.orgs.as_ref().unwrap()[0].name, "huggingface");
        assert_eq!(user.created_at.unwrap().unix_timestamp(), 1_574_553_600);

        let item: User = serde_json::from_str(
            r#"{"user": "bob", "fullname": "Bob", "avatarUrl": "x", "type": "user"}"#,
        )
        .unwrap();
        assert_eq!(item.orgs, None);
        assert_eq!(item.num_models, None);
        let back = serde_json::to_value(&item).unwrap();
        assert_eq!(
            back,
            serde_json::json!({"user": "bob", "fullname": "Bob", "avatarUrl": "x", "type": "user"})
        );
    }

    #[test]
    fn organization_overview() {
        let org: Organization = serde_json::from_str(
            r#"{"name": "acme", "fullname": "ACME", "avatarUrl": "x", "details": "d", "isVerified": true,
                "isFollowing": false, "numUsers": 5, "numModels": 6, "numSpaces": 7, "numDatasets": 8, "numFollowers": 9}"#,
        )
        .unwrap();
        assert_eq!(org.is_verified, Some(true));
        assert_eq!(
            (org.num_users, org.num_datasets, org.num_followers),
            (Some(5), Some(8), Some(9))
        );
        let minimal: Organization = serde_json::from_str(r#"{"name": "acme"}"#).unwrap();
        assert_eq!(minimal.fullname, None);
    }
}
