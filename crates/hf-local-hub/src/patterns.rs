//! `.gitattributes` and `.gitignore` matching, as git does it.
//!
//! The preupload endpoint decides the upload mode of a file from the LFS rules of the
//! repo's `.gitattributes` (`PATTERN filter=lfs ...`) and whether it is ignored from the
//! `.gitignore` (or the one about to be committed). Both use git's wildmatch: `*` and `?`
//! never cross `/`, `**` between slashes spans directories, `[...]` classes (with `!`/`^`
//! negation, ranges and `[:alpha:]`-style names), `\` escapes. A pattern without a `/`
//! matches the file name at any depth; with one it is anchored at the repo root.

/// Matching steps one request may spend on `.gitattributes` / `.gitignore` rules: a few hundred
/// milliseconds of CPU at most, whatever the rules and paths a client sends.
pub const MATCH_BUDGET: u64 = 10_000_000;

/// Steps one rule may spend on one path: bounds the memo of a single match (a few MB), far
/// above what a real rule needs (about the length of the path).
const STEPS_PER_MATCH: u64 = 200_000;

/// Rules longer than this are ignored (real rules are a few dozen characters).
const MAX_RULE_LEN: usize = 4096;

/// Matches `text` against a git wildmatch `pattern` with pathname semantics (`*`, `?` and
/// classes never match `/`; `**` as a whole segment matches any number of directories).
#[cfg(test)]
pub fn wildmatch(pattern: &str, text: &str) -> bool {
    let budget = std::cell::Cell::new(MATCH_BUDGET);
    wildmatch_within(pattern, text, &budget)
}

/// [`wildmatch`] spending at most the steps left in `budget` (shared by every match of one
/// request); when it runs out the answer is `false` and the budget stays at zero, which the
/// caller reports.
fn wildmatch_within(pattern: &str, text: &str, budget: &std::cell::Cell<u64>) -> bool {
    if budget.get() == 0 {
        return false;
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let mut matcher = Matcher {
        p: &p,
        t: &t,
        failed: Memo::new(p.len() + 1, t.len() + 1),
        steps_left: STEPS_PER_MATCH.min(budget.get()),
    };
    let matched = matcher.matches(0, 0);
    let spent = STEPS_PER_MATCH.min(budget.get()) - matcher.steps_left;
    // A match that used up its own allowance exhausts the request's budget: the answer is
    // unreliable and the request is refused.
    budget.set(if matcher.steps_left == 0 {
        0
    } else {
        budget.get() - spent
    });
    matched
}

/// Largest dense memo, in (pattern, text) positions: 1 MiB of bits. Every rule and path that
/// passes the hub's limits (4 KiB rules, 1 KiB paths) fits.
const DENSE_MEMO_POSITIONS: usize = 8 << 20;

/// Bit-set words zeroed per matching step charged: allocating a memo costs steps too, so many
/// cheap matches of long rules cannot spend unbounded time allocating.
const MEMO_WORDS_PER_STEP: usize = 8;

/// The failed (pattern, text) positions of one match: a bit set when the grid is small enough
/// (a step then costs a few nanoseconds instead of a hash-set insert), a hash set of the
/// positions visited otherwise. The bit set is allocated on the first failure.
enum Memo {
    Dense {
        bits: Vec<u64>,
        width: usize,
        positions: usize,
    },
    Sparse(std::collections::HashSet<(usize, usize)>),
}

impl Memo {
    fn new(pattern_positions: usize, text_positions: usize) -> Memo {
        match pattern_positions.checked_mul(text_positions) {
            Some(positions) if positions <= DENSE_MEMO_POSITIONS => Memo::Dense {
                bits: Vec::new(),
                width: text_positions,
                positions,
            },
            _ => Memo::Sparse(std::collections::HashSet::new()),
        }
    }

    fn contains(&self, pi: usize, ti: usize) -> bool {
        match self {
            Memo::Dense { bits, width, .. } => {
                let i = pi * width + ti;
                bits.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
            }
            Memo::Sparse(set) => set.contains(&(pi, ti)),
        }
    }

    /// Records a failed position; returns the extra steps it cost (allocating the bit set).
    fn insert(&mut self, pi: usize, ti: usize) -> u64 {
        match self {
            Memo::Dense {
                bits,
                width,
                positions,
            } => {
                let mut cost = 0;
                if bits.is_empty() {
                    let words = positions.div_ceil(64);
                    *bits = vec![0; words];
                    cost = (words / MEMO_WORDS_PER_STEP) as u64;
                }
                let i = pi * *width + ti;
                if let Some(w) = bits.get_mut(i / 64) {
                    *w |= 1 << (i % 64);
                }
                cost
            }
            Memo::Sparse(set) => {
                set.insert((pi, ti));
                0
            }
        }
    }
}

/// Backtracking matcher with a memo of failed (pattern, text) positions, so hostile patterns
/// such as `*a*a*a*b` stay polynomial; every visit costs one step of the match's allowance,
/// so time and memory are bounded.
struct Matcher<'a> {
    p: &'a [char],
    t: &'a [char],
    failed: Memo,
    steps_left: u64,
}

impl Matcher<'_> {
    fn matches(&mut self, pi: usize, ti: usize) -> bool {
        if self.steps_left == 0 {
            return false;
        }
        self.steps_left -= 1;
        if self.failed.contains(pi, ti) {
            return false;
        }
        let ok = self.matches_uncached(pi, ti);
        if !ok {
            let cost = self.failed.insert(pi, ti);
            self.steps_left = self.steps_left.saturating_sub(cost);
        }
        ok
    }

    fn matches_uncached(&mut self, mut pi: usize, mut ti: usize) -> bool {
        let (p, t) = (self.p, self.t);
        while let Some(&pc) = p.get(pi) {
            match pc {
                '*' => return self.star(pi, ti),
                '?' => match t.get(ti) {
                    Some(&c) if c != '/' => {}
                    _ => return false,
                },
                '[' => {
                    let Some(&c) = t.get(ti) else { return false };
                    match match_class(p, pi, c) {
                        Some((true, close)) if c != '/' => pi = close,
                        _ => return false,
                    }
                }
                '\\' => {
                    // A trailing backslash matches nothing, as in git.
                    let Some(&lit) = p.get(pi + 1) else {
                        return false;
                    };
                    if t.get(ti) != Some(&lit) {
                        return false;
                    }
                    pi += 1;
                }
                lit => {
                    if t.get(ti) != Some(&lit) {
                        return false;
                    }
                }
            }
            pi += 1;
            ti += 1;
        }
        ti == t.len()
    }

    /// Handles `*` or `**` starting at `pi`.
    fn star(&mut self, pi: usize, ti: usize) -> bool {
        let p = self.p;
        let mut end = pi;
        while p.get(end) == Some(&'*') {
            end += 1;
        }
        let at_segment_start = pi == 0 || p.get(pi - 1) == Some(&'/');
        let at_segment_end = end == p.len() || p.get(end) == Some(&'/');
        if end - pi >= 2 && at_segment_start && at_segment_end {
            if end == p.len() {
                // Trailing `**` matches everything that remains.
                return true;
            }
            // `**/`: zero directories, or any text ending at a `/`.
            if self.matches(end + 1, ti) {
                return true;
            }
            for k in ti..self.t.len() {
                if self.steps_left == 0 {
                    return false;
                }
                if self.t.get(k) == Some(&'/') && self.matches(end + 1, k + 1) {
                    return true;
                }
            }
            return false;
        }
        // Plain star: any run of non-slash characters.
        for k in ti..=self.t.len() {
            // Out of steps: every frame below returns at once instead of scanning on.
            if self.steps_left == 0 {
                return false;
            }
            if self.matches(end, k) {
                return true;
            }
            if self.t.get(k) == Some(&'/') {
                break;
            }
        }
        false
    }
}

/// Matches `c` against the class starting at `p[start] == '['`. Returns whether it matched
/// and the index of the closing `]`, or `None` for an unterminated class (no match, as git).
fn match_class(p: &[char], start: usize, c: char) -> Option<(bool, usize)> {
    let mut i = start + 1;
    let negated = matches!(p.get(i), Some('!') | Some('^'));
    if negated {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let &pc = p.get(i)?;
        if pc == ']' && !first {
            break;
        }
        first = false;
        if pc == '[' && p.get(i + 1) == Some(&':') {
            let name_start = i + 2;
            let mut j = name_start;
            while let Some(&nc) = p.get(j) {
                if nc == ':' && p.get(j + 1) == Some(&']') {
                    break;
                }
                j += 1;
            }
            if p.get(j).is_some() {
                let name: String = p.get(name_start..j)?.iter().collect();
                matched |= posix_class(&name, c);
                i = j + 2;
                continue;
            }
        }
        let lo = if pc == '\\' {
            i += 1;
            *p.get(i)?
        } else {
            pc
        };
        if p.get(i + 1) == Some(&'-') && p.get(i + 2).is_some_and(|&h| h != ']') {
            let mut hi_idx = i + 2;
            let mut hi = *p.get(hi_idx)?;
            if hi == '\\' {
                hi_idx += 1;
                hi = *p.get(hi_idx)?;
            }
            matched |= lo <= c && c <= hi;
            i = hi_idx + 1;
        } else {
            matched |= lo == c;
            i += 1;
        }
    }
    Some((matched != negated, i))
}

fn posix_class(name: &str, c: char) -> bool {
    match name {
        "alnum" => c.is_ascii_alphanumeric(),
        "alpha" => c.is_ascii_alphabetic(),
        "blank" => c == ' ' || c == '\t',
        "cntrl" => c.is_ascii_control(),
        "digit" => c.is_ascii_digit(),
        "graph" => c.is_ascii_graphic(),
        "lower" => c.is_ascii_lowercase(),
        "print" => c.is_ascii_graphic() || c == ' ',
        "punct" => c.is_ascii_punctuation(),
        "space" => c.is_ascii_whitespace() || c == '\x0b',
        "upper" => c.is_ascii_uppercase(),
        "xdigit" => c.is_ascii_hexdigit(),
        _ => false,
    }
}

/// One compiled path pattern: anchored ones match the whole path, others the last segment.
#[derive(Debug, Clone)]
struct PathPattern {
    glob: String,
    anchored: bool,
}

impl PathPattern {
    /// `raw` without any trailing `/` (directory marker) or leading `!`.
    fn new(raw: &str) -> Self {
        let anchored = raw.contains('/');
        let glob = raw.strip_prefix('/').unwrap_or(raw).to_owned();
        Self { glob, anchored }
    }

    fn matches(&self, path: &str, budget: &std::cell::Cell<u64>) -> bool {
        if self.anchored {
            wildmatch_within(&self.glob, path, budget)
        } else {
            wildmatch_within(&self.glob, path.rsplit('/').next().unwrap_or(path), budget)
        }
    }
}

/// The state of the `filter` attribute set by one `.gitattributes` line.
#[derive(Debug, Clone, PartialEq, Eq)]
enum FilterState {
    /// `filter=VALUE`.
    Value(String),
    /// `-filter`, or a bare `filter` (set without value: not LFS).
    Off,
    /// `!filter`: back to unspecified.
    Unspecified,
}

/// The LFS-relevant rules of a `.gitattributes` file.
#[derive(Debug, Clone)]
pub struct GitAttributes {
    rules: Vec<(PathPattern, FilterState)>,
    /// Matching steps left (see [`MATCH_BUDGET`]).
    budget: std::cell::Cell<u64>,
}

impl Default for GitAttributes {
    fn default() -> Self {
        GitAttributes::parse("")
    }
}

impl GitAttributes {
    /// Parses a `.gitattributes` file. Comments, macro definitions (`[attr]`), negative
    /// patterns (forbidden by git) and directory patterns (`dir/`, which never match files in
    /// attributes files) are skipped; only lines mentioning the `filter` attribute are kept.
    pub fn parse(text: &str) -> Self {
        let mut rules = Vec::new();
        for line in text.lines() {
            let line = line.trim_start();
            if line.is_empty() || line.starts_with('#') || line.starts_with("[attr]") {
                continue;
            }
            let (pattern, rest) = split_attr_pattern(line);
            if pattern.is_empty()
                || pattern.len() > MAX_RULE_LEN
                || pattern.starts_with('!')
                || pattern.ends_with('/')
            {
                continue;
            }
            let mut state = None;
            for token in rest.split_whitespace() {
                if let Some(value) = token.strip_prefix("filter=") {
                    state = Some(FilterState::Value(value.to_owned()));
                } else if token == "-filter" || token == "filter" {
                    state = Some(FilterState::Off);
                } else if token == "!filter" {
                    state = Some(FilterState::Unspecified);
                }
            }
            if let Some(state) = state {
                rules.push((PathPattern::new(&pattern), state));
            }
        }
        Self {
            rules,
            budget: std::cell::Cell::new(MATCH_BUDGET),
        }
    }

    /// True when the rules cost more than [`MATCH_BUDGET`] steps: answers given since are not
    /// reliable and the request should be refused.
    pub fn exhausted(&self) -> bool {
        self.budget.get() == 0
    }

    /// The value of the `filter` attribute for `path` (the last matching line wins).
    pub fn filter(&self, path: &str) -> Option<&str> {
        let state = self
            .rules
            .iter()
            .rev()
            .find(|(pattern, _)| pattern.matches(path, &self.budget))
            .map(|(_, state)| state)?;
        match state {
            FilterState::Value(value) => Some(value),
            FilterState::Off | FilterState::Unspecified => None,
        }
    }

    /// Whether `path` is tracked by git LFS (`filter=lfs`).
    pub fn is_lfs(&self, path: &str) -> bool {
        self.filter(path) == Some("lfs")
    }
}

/// Splits a `.gitattributes` line into its pattern (unquoted) and the attribute list.
fn split_attr_pattern(line: &str) -> (String, &str) {
    if let Some(quoted) = line.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = quoted.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => return (out, quoted.get(i + 1..).unwrap_or("")),
                '\\' => match chars.next() {
                    Some((_, 'n')) => out.push('\n'),
                    Some((_, 't')) => out.push('\t'),
                    Some((_, other)) => out.push(other),
                    None => break,
                },
                other => out.push(other),
            }
        }
        // Unterminated quote: git ignores the line.
        return (String::new(), "");
    }
    match line.find(char::is_whitespace) {
        Some(i) => (line[..i].to_owned(), &line[i..]),
        None => (line.to_owned(), ""),
    }
}

/// The `.gitattributes` line that makes git LFS track exactly `path`, in the Hub's usual
/// form. Glob characters are escaped and whitespace (a separator in attributes files) is
/// written as `[[:space:]]`; the pattern is anchored with a leading `/`.
pub fn lfs_rule_for_path(path: &str) -> String {
    let mut pattern = String::from("/");
    for c in path.chars() {
        match c {
            '*' | '?' | '[' | ']' | '\\' | '!' | '#' | '"' => {
                pattern.push('\\');
                pattern.push(c);
            }
            c if c.is_whitespace() => pattern.push_str("[[:space:]]"),
            c => pattern.push(c),
        }
    }
    format!("{pattern} filter=lfs diff=lfs merge=lfs -text")
}

/// One `.gitignore` rule.
#[derive(Debug, Clone)]
struct IgnoreRule {
    pattern: PathPattern,
    negated: bool,
    dir_only: bool,
}

/// The rules of a `.gitignore` file at the repo root.
#[derive(Debug, Clone)]
pub struct GitIgnore {
    rules: Vec<IgnoreRule>,
    /// Matching steps left (see [`MATCH_BUDGET`]).
    budget: std::cell::Cell<u64>,
}

impl Default for GitIgnore {
    fn default() -> Self {
        GitIgnore::parse("")
    }
}

impl GitIgnore {
    /// Parses a `.gitignore` file: `#` comments, `!` negation (`\!`/`\#` for literals),
    /// trailing `/` for directories only, unescaped trailing spaces trimmed.
    pub fn parse(text: &str) -> Self {
        let mut rules = Vec::new();
        for line in text.lines() {
            let line = trim_trailing_spaces(line.strip_suffix('\r').unwrap_or(line));
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (negated, line) = match line.strip_prefix('!') {
                Some(rest) => (true, rest),
                None => (false, line),
            };
            let (dir_only, line) = match line.strip_suffix('/') {
                Some(rest) => (true, rest),
                None => (false, line),
            };
            if line.is_empty() || line.len() > MAX_RULE_LEN {
                continue;
            }
            rules.push(IgnoreRule {
                pattern: PathPattern::new(line),
                negated,
                dir_only,
            });
        }
        Self {
            rules,
            budget: std::cell::Cell::new(MATCH_BUDGET),
        }
    }

    /// True when the rules cost more than [`MATCH_BUDGET`] steps: answers given since are not
    /// reliable and the request should be refused.
    pub fn exhausted(&self) -> bool {
        self.budget.get() == 0
    }

    /// Whether the file at `path` is ignored. As in git, a file inside an ignored directory
    /// stays ignored whatever later rules say about the file itself.
    pub fn is_ignored(&self, path: &str) -> bool {
        let mut end = 0;
        while let Some(i) = path[end..].find('/') {
            let dir = &path[..end + i];
            if self.decide(dir, true) == Some(true) {
                return true;
            }
            end += i + 1;
        }
        self.decide(path, false) == Some(true)
    }

    /// The last matching rule's verdict for one path (`None`: no rule matched).
    fn decide(&self, path: &str, is_dir: bool) -> Option<bool> {
        self.rules
            .iter()
            .rev()
            .find(|rule| (is_dir || !rule.dir_only) && rule.pattern.matches(path, &self.budget))
            .map(|rule| !rule.negated)
    }
}

/// Removes trailing spaces unless escaped with a backslash.
fn trim_trailing_spaces(line: &str) -> &str {
    let mut end = line.len();
    while line[..end].ends_with(' ') {
        if line[..end - 1].ends_with('\\') {
            break;
        }
        end -= 1;
    }
    &line[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lfs_rules_and_ignores() {
        let attrs = GitAttributes::parse("*.bin filter=lfs diff=lfs merge=lfs -text\n");
        assert!(attrs.is_lfs("weights/model.bin"));
        let ignore = GitIgnore::parse("*.log\n!keep.log\n");
        assert!(ignore.is_ignored("logs/run.log"));
        assert!(!ignore.is_ignored("keep.log"));
    }

    #[test]
    fn wildmatch_basics() {
        assert!(wildmatch("*.bin", "model.bin"));
        assert!(!wildmatch("*.bin", "a/model.bin"));
        assert!(wildmatch("a?c", "abc"));
        assert!(!wildmatch("a?c", "a/c"));
        assert!(wildmatch("*", ""));
        assert!(!wildmatch("abc", "abcd"));
        assert!(wildmatch("\\*x", "*x"));
        assert!(!wildmatch("\\*x", "ax"));
        assert!(!wildmatch("abc\\", "abc"));
        assert!(wildmatch("*tfevents*", "events.out.tfevents.123"));
        assert!(wildmatch("*.tar.*", "x.tar.gz"));
    }

    #[test]
    fn wildmatch_double_star() {
        assert!(wildmatch("**/foo", "foo"));
        assert!(wildmatch("**/foo", "a/b/foo"));
        assert!(wildmatch("a/**/b", "a/b"));
        assert!(wildmatch("a/**/b", "a/x/y/b"));
        assert!(!wildmatch("a/**/b", "ab"));
        assert!(wildmatch("a/**", "a/x/y"));
        assert!(!wildmatch("a/**", "a"));
        assert!(wildmatch(
            "saved_model/**/*",
            "saved_model/variables/v.data"
        ));
        assert!(wildmatch("saved_model/**/*", "saved_model/x.pb"));
        // `**` not forming a whole segment behaves like `*`.
        assert!(wildmatch("a**b", "axxb"));
        assert!(!wildmatch("a**b", "a/b"));
        assert!(wildmatch("**", "a/b/c"));
    }

    #[test]
    fn wildmatch_classes() {
        assert!(wildmatch("[abc].txt", "b.txt"));
        assert!(!wildmatch("[abc].txt", "d.txt"));
        assert!(wildmatch("[!abc].txt", "d.txt"));
        assert!(wildmatch("[^abc].txt", "d.txt"));
        assert!(wildmatch("[a-c]x", "bx"));
        assert!(!wildmatch("[a-c]x", "dx"));
        assert!(wildmatch("[]]", "]"));
        assert!(wildmatch("[[:digit:]][[:alpha:]]", "1a"));
        assert!(wildmatch("a[[:space:]]b", "a b"));
        assert!(!wildmatch("a[/]b", "a/b"));
        assert!(!wildmatch("[abc", "a"));
        assert!(wildmatch("[\\]]", "]"));
        assert!(wildmatch("[a-]", "-"));
    }

    #[test]
    fn wildmatch_hostile_pattern_is_fast() {
        let text = "a".repeat(200);
        assert!(!wildmatch("*a*a*a*a*a*a*a*a*a*a*b", &text));
        assert!(!wildmatch("**/**/**/**/**/b", &"a/".repeat(100)));
    }

    #[test]
    fn attributes_default_hub_file() {
        let text = "*.7z filter=lfs diff=lfs merge=lfs -text\n\
                    *.bin filter=lfs diff=lfs merge=lfs -text\n\
                    saved_model/**/* filter=lfs diff=lfs merge=lfs -text\n\
                    *tfevents* filter=lfs diff=lfs merge=lfs -text\n";
        let attrs = GitAttributes::parse(text);
        assert!(attrs.is_lfs("lfs_file.bin"));
        assert!(attrs.is_lfs("deep/dir/x.bin"));
        assert!(attrs.is_lfs("saved_model/a/b"));
        assert!(!attrs.is_lfs("other/saved_model/a"));
        assert!(attrs.is_lfs("runs/events.out.tfevents.1"));
        assert!(!attrs.is_lfs("README.md"));
        assert!(!attrs.is_lfs("x.binx"));
    }

    #[test]
    fn attributes_later_lines_override() {
        let attrs = GitAttributes::parse(
            "*.bin filter=lfs\nsmall.bin -filter\n*.dat filter=lfs\nkeep.dat !filter\n\
             *.x filter=lfs\n*.x filter=other\n",
        );
        assert!(attrs.is_lfs("a.bin"));
        assert!(!attrs.is_lfs("small.bin"));
        assert!(!attrs.is_lfs("sub/small.bin"));
        assert!(!attrs.is_lfs("keep.dat"));
        assert!(attrs.is_lfs("x.dat"));
        assert_eq!(attrs.filter("y.x"), Some("other"));
        // A later line not mentioning `filter` does not reset it.
        let attrs = GitAttributes::parse("*.bin filter=lfs\n*.bin -text\n");
        assert!(attrs.is_lfs("a.bin"));
    }

    #[test]
    fn attributes_anchoring_and_oddities() {
        let attrs = GitAttributes::parse(
            "# comment\n\n/top.bin filter=lfs\ndata/*.csv filter=lfs\n[attr]bin -diff\n\
             !neg filter=lfs\ndir/ filter=lfs\n\"with space.pt\" filter=lfs\n  indented.q filter=lfs\n",
        );
        assert!(attrs.is_lfs("top.bin"));
        assert!(!attrs.is_lfs("sub/top.bin"));
        assert!(attrs.is_lfs("data/x.csv"));
        assert!(!attrs.is_lfs("data/sub/x.csv"));
        assert!(!attrs.is_lfs("other/data/x.csv"));
        assert!(!attrs.is_lfs("neg"));
        assert!(!attrs.is_lfs("dir/file"));
        assert!(attrs.is_lfs("with space.pt"));
        assert!(attrs.is_lfs("indented.q"));
    }

    #[test]
    fn lfs_rule_round_trips() {
        for path in [
            "model.weird",
            "a b/c*d?.x",
            "dir/[x].y",
            "#hash!",
            "tab\tname",
        ] {
            let line = lfs_rule_for_path(path);
            let attrs = GitAttributes::parse(&line);
            assert!(attrs.is_lfs(path), "{line} should match {path:?}");
        }
        let attrs = GitAttributes::parse(&lfs_rule_for_path("model.weird"));
        assert!(!attrs.is_lfs("sub/model.weird"));
        let attrs = GitAttributes::parse(&lfs_rule_for_path("c*d"));
        assert!(!attrs.is_lfs("cxd"));
    }

    #[test]
    fn gitignore_basics() {
        let ignore = GitIgnore::parse("*.log\n# comment\n\n!important.log\nbuild/\n/root.txt\n");
        assert!(ignore.is_ignored("a.log"));
        assert!(ignore.is_ignored("deep/b.log"));
        assert!(!ignore.is_ignored("important.log"));
        assert!(!ignore.is_ignored("x/important.log"));
        assert!(ignore.is_ignored("build/out.bin"));
        assert!(ignore.is_ignored("src/build/out.bin"));
        assert!(!ignore.is_ignored("build"));
        assert!(ignore.is_ignored("root.txt"));
        assert!(!ignore.is_ignored("sub/root.txt"));
        assert!(!ignore.is_ignored("main.rs"));
    }

    #[test]
    fn gitignore_directory_excludes_cannot_be_negated_inside() {
        let ignore = GitIgnore::parse("cache/\n!cache/keep.txt\n");
        assert!(ignore.is_ignored("cache/keep.txt"));
        let ignore = GitIgnore::parse("cache/*\n!cache/keep.txt\n");
        assert!(!ignore.is_ignored("cache/keep.txt"));
        assert!(ignore.is_ignored("cache/other.txt"));
    }

    #[test]
    fn gitignore_double_star_and_escapes() {
        let ignore =
            GitIgnore::parse("**/tmp\nlogs/**\na/**/z.txt\n\\#hash\n\\!bang\ntrail\\ \nsp   \n");
        assert!(ignore.is_ignored("tmp"));
        assert!(ignore.is_ignored("x/y/tmp"));
        assert!(ignore.is_ignored("x/tmp/file"));
        assert!(ignore.is_ignored("logs/a/b.txt"));
        assert!(ignore.is_ignored("a/z.txt"));
        assert!(ignore.is_ignored("a/b/c/z.txt"));
        assert!(ignore.is_ignored("#hash"));
        assert!(ignore.is_ignored("!bang"));
        assert!(ignore.is_ignored("trail "));
        assert!(ignore.is_ignored("sp"));
        assert!(!ignore.is_ignored("sp "));
    }

    #[test]
    fn gitignore_middle_slash_anchors() {
        let ignore = GitIgnore::parse("doc/frotz\n");
        assert!(ignore.is_ignored("doc/frotz"));
        assert!(ignore.is_ignored("doc/frotz/x"));
        assert!(!ignore.is_ignored("a/doc/frotz"));
        let ignore = GitIgnore::parse("");
        assert!(!ignore.is_ignored("anything"));
    }
}
