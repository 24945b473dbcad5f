//! `allow_patterns` / `ignore_patterns`: Python `fnmatch` globs over whole repo paths (protocol §4.6).

/// A list of glob patterns with Python's `fnmatch` semantics: `*` matches any run
/// of characters *including* `/`, `?` one character, `[seq]` / `[!seq]` a set; a
/// pattern ending in `/` matches everything below that folder. Case-sensitive.
///
/// ```
/// use hf_types::Patterns;
/// let p = Patterns::new(["*.json", "onnx/"]);
/// assert!(p.any_match("a/b/config.json"));
/// assert!(p.any_match("onnx/model.onnx"));
/// assert!(!p.any_match("model.bin"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Patterns(Vec<String>);

impl Patterns {
    /// Builds the list, appending `*` to patterns that end in `/`.
    pub fn new<I, S>(patterns: I) -> Patterns
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Patterns(
            patterns
                .into_iter()
                .map(|p| {
                    let mut p: String = p.into();
                    if p.ends_with('/') {
                        p.push('*');
                    }
                    p
                })
                .collect(),
        )
    }

    /// True when the list is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// True when at least one pattern matches `path`.
    pub fn any_match(&self, path: &str) -> bool {
        self.0
            .iter()
            .any(|p| fnmatch(p.as_bytes(), path.as_bytes()))
    }
}

/// Keeps `path` when it matches an allow pattern (or there are none) and no ignore pattern.
pub fn filter_path(path: &str, allow: &Patterns, ignore: &Patterns) -> bool {
    (allow.is_empty() || allow.any_match(path)) && !ignore.any_match(path)
}

/// Iterative glob matching with backtracking on the last `*` (linear-ish, no recursion).
fn fnmatch(pat: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pat.len() {
            match pat[p] {
                b'*' => {
                    star = Some((p, t));
                    p += 1;
                    continue;
                }
                b'?' => {
                    p += 1;
                    t += 1;
                    continue;
                }
                b'[' => {
                    if let Some((matched, next)) = match_class(pat, p, text[t]) {
                        if matched {
                            p = next;
                            t += 1;
                            continue;
                        }
                    } else if text[t] == b'[' {
                        // An unterminated `[` is a literal, as in Python.
                        p += 1;
                        t += 1;
                        continue;
                    }
                }
                c if c == text[t] => {
                    p += 1;
                    t += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some((sp, st)) => {
                p = sp + 1;
                t = st + 1;
                star = Some((sp, st + 1));
            }
            None => return false,
        }
    }
    pat[p..].iter().all(|&c| c == b'*')
}

/// Matches one byte against the class starting at `pat[start] == b'['`.
/// Returns (matched, index after the class), or `None` if the class is unterminated.
fn match_class(pat: &[u8], start: usize, c: u8) -> Option<(bool, usize)> {
    let mut i = start + 1;
    let negate = pat.get(i) == Some(&b'!');
    if negate {
        i += 1;
    }
    // A `]` right after `[` or `[!` is a literal member.
    let first = i;
    let mut matched = false;
    while i < pat.len() && (pat[i] != b']' || i == first) {
        if i + 2 < pat.len() && pat[i + 1] == b'-' && pat[i + 2] != b']' {
            if pat[i] <= c && c <= pat[i + 2] {
                matched = true;
            }
            i += 3;
        } else {
            if pat[i] == c {
                matched = true;
            }
            i += 1;
        }
    }
    if i >= pat.len() {
        return None;
    }
    Some((matched != negate, i + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_fnmatch_cases() {
        let m = |p: &str, t: &str| fnmatch(p.as_bytes(), t.as_bytes());
        assert!(m("*.json", "config.json"));
        assert!(m("*.json", "a/b.json"));
        assert!(m("**/*.json", "a/b.json"));
        assert!(!m("**/*.json", "b.json"));
        assert!(m("?.txt", "a.txt"));
        assert!(!m("?.txt", "ab.txt"));
        assert!(m("[ab].txt", "b.txt"));
        assert!(!m("[!ab].txt", "b.txt"));
        assert!(m("[a-c]x", "bx"));
        assert!(m("[]]", "]"));
        assert!(m("[", "["));
        assert!(m("*", ""));
        assert!(!m("a", ""));
        assert!(m("a*b*c", "axxbyyc"));
        assert!(!m("a*b*c", "axxbyy"));
        assert!(!m("*.JSON", "a.json"));
    }

    #[test]
    fn allow_then_ignore() {
        let allow = Patterns::new(["*.safetensors", "tokenizer/"]);
        let ignore = Patterns::new(["*fp16*"]);
        assert!(filter_path("model.safetensors", &allow, &ignore));
        assert!(!filter_path("model.fp16.safetensors", &allow, &ignore));
        assert!(filter_path("tokenizer/vocab.txt", &allow, &ignore));
        assert!(!filter_path("README.md", &allow, &ignore));
        assert!(filter_path(
            "README.md",
            &Patterns::default(),
            &Patterns::default()
        ));
    }
}
