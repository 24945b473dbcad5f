//! Repo card metadata: the YAML front matter of `README.md`, exposed as `cardData` (and tags) in repo info.
//!
//! Only the YAML subset model cards use is understood: block mappings and sequences by indentation,
//! `- key: value` items, flow sequences `[a, b]`, quoted and plain scalars, numbers, booleans and null.
//! Anything else becomes a string, never an error: card metadata is informative here.

use serde_json::{Map, Number, Value};

/// The front matter of a README as JSON, if it has one that parses to a mapping.
pub fn front_matter(readme: &str) -> Option<Value> {
    let mut lines = readme.lines();
    if lines.next()?.trim_end() != "---" {
        return None;
    }
    let mut body = Vec::new();
    let mut closed = false;
    for line in lines {
        if line.trim_end() == "---" {
            closed = true;
            break;
        }
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        body.push((line.len() - trimmed.len(), trimmed.trim_end().to_owned()));
    }
    if !closed || body.is_empty() {
        return None;
    }
    let indent = body[0].0;
    let mut i = 0;
    let v = node(&mut body, &mut i, indent);
    v.is_object().then_some(v)
}

fn node(lines: &mut Vec<(usize, String)>, i: &mut usize, indent: usize) -> Value {
    if *i < lines.len() && is_item(&lines[*i].1) {
        sequence(lines, i, indent)
    } else {
        mapping(lines, i, indent)
    }
}

fn is_item(text: &str) -> bool {
    text == "-" || text.starts_with("- ")
}

fn split_key(text: &str) -> Option<(String, &str)> {
    let (k, v) = if let Some(k) = text.strip_suffix(':') {
        (k, "")
    } else {
        let idx = text.find(": ")?;
        (&text[..idx], &text[idx + 2..])
    };
    Some((unquote(k.trim()), v.trim()))
}

fn mapping(lines: &mut Vec<(usize, String)>, i: &mut usize, indent: usize) -> Value {
    let mut map = Map::new();
    while *i < lines.len() && lines[*i].0 == indent && !is_item(&lines[*i].1) {
        let text = lines[*i].1.clone();
        *i += 1;
        let Some((key, value)) = split_key(&text) else {
            continue;
        };
        let v = if value.is_empty() {
            match lines.get(*i) {
                Some((next, t)) if *next > indent || (*next == indent && is_item(t)) => {
                    let next = *next;
                    node(lines, i, next)
                }
                _ => Value::Null,
            }
        } else {
            scalar(value)
        };
        map.insert(key, v);
    }
    // Lines indented deeper than expected belong to nothing we understood: skip them.
    while *i < lines.len() && lines[*i].0 > indent {
        *i += 1;
    }
    Value::Object(map)
}

fn sequence(lines: &mut Vec<(usize, String)>, i: &mut usize, indent: usize) -> Value {
    let mut items = Vec::new();
    while *i < lines.len() && lines[*i].0 == indent && is_item(&lines[*i].1) {
        let rest = lines[*i].1.get(1..).unwrap_or("").trim_start().to_owned();
        if rest.is_empty() {
            *i += 1;
            match lines.get(*i) {
                Some((next, _)) if *next > indent => {
                    let next = *next;
                    items.push(node(lines, i, next));
                }
                _ => items.push(Value::Null),
            }
        } else if split_key(&rest).is_some() && !rest.starts_with(['"', '\'', '[']) {
            // `- key: value` opens a mapping whose keys sit two columns right of the dash.
            lines[*i] = (indent + 2, rest);
            items.push(mapping(lines, i, indent + 2));
        } else {
            *i += 1;
            items.push(scalar(&rest));
        }
    }
    Value::Array(items)
}

fn unquote(s: &str) -> String {
    let b = s.as_bytes();
    if b.len() >= 2
        && ((b[0] == b'"' && b[b.len() - 1] == b'"') || (b[0] == b'\'' && b[b.len() - 1] == b'\''))
    {
        s[1..s.len() - 1].to_owned()
    } else {
        s.to_owned()
    }
}

fn scalar(raw: &str) -> Value {
    let mut s = raw.trim();
    if !s.starts_with(['"', '\''])
        && let Some(idx) = s.find(" #")
    {
        s = s[..idx].trim_end();
    }
    if let Some(inner) = s.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        if inner.trim().is_empty() {
            return Value::Array(vec![]);
        }
        return Value::Array(inner.split(',').map(|p| scalar(p.trim())).collect());
    }
    if s.starts_with(['"', '\'']) {
        return Value::String(unquote(s));
    }
    match s {
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        "null" | "Null" | "NULL" | "~" | "" => return Value::Null,
        _ => {}
    }
    if let Ok(i) = s.parse::<i64>() {
        return Value::Number(i.into());
    }
    if s.contains('.')
        && let Ok(f) = s.parse::<f64>()
        && let Some(n) = Number::from_f64(f)
    {
        return Value::Number(n);
    }
    Value::String(s.to_owned())
}

/// Tags the Hub derives from card data: the card's `tags`, plus `license:X` and the library name.
pub fn tags(card: &Value) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    let mut push = |s: String| {
        if !out.iter().any(|v| v.as_str() == Some(&s)) {
            out.push(Value::String(s));
        }
    };
    if let Some(lib) = card.get("library_name").and_then(Value::as_str) {
        push(lib.to_owned());
    }
    match card.get("tags") {
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .for_each(|t| push(t.to_owned())),
        Some(Value::String(t)) => push(t.clone()),
        _ => {}
    }
    match card.get("language") {
        Some(Value::String(l)) => push(l.clone()),
        Some(Value::Array(ls)) => ls
            .iter()
            .filter_map(Value::as_str)
            .for_each(|l| push(l.to_owned())),
        _ => {}
    }
    if let Some(l) = card.get("license").and_then(Value::as_str) {
        push(format!("license:{l}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_model_card_front_matter() {
        let readme = "---\nlicense: mit\nlanguage:\n- en\n- fr\ntags: [a, \"b c\"]\nmodel-index:\n  - name: m\n    results:\n      - metrics:\n          - type: acc\n            value: 0.5\nthumbnail: null\nn: 3\n# comment\nwidget:\n  text: 'hi # there'\n---\n# Title\n";
        let v = front_matter(readme).unwrap();
        assert_eq!(v["license"], "mit");
        assert_eq!(v["language"], json!(["en", "fr"]));
        assert_eq!(v["tags"], json!(["a", "b c"]));
        assert_eq!(v["model-index"][0]["name"], "m");
        assert_eq!(
            v["model-index"][0]["results"][0]["metrics"][0]["value"],
            0.5
        );
        assert_eq!(v["thumbnail"], Value::Null);
        assert_eq!(v["n"], 3);
        assert_eq!(v["widget"]["text"], "hi # there");
        assert_eq!(
            tags(&v),
            vec![
                json!("a"),
                json!("b c"),
                json!("en"),
                json!("fr"),
                json!("license:mit")
            ]
        );
    }

    #[test]
    fn no_front_matter() {
        assert!(front_matter("# Title\n").is_none());
        assert!(front_matter("---\nlicense: mit\n").is_none());
        assert!(front_matter("---\n---\n").is_none());
        assert!(front_matter("---\n- a\n---\n").is_none());
    }
}
