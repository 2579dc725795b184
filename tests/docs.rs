//! The documentation tells the truth about what it links and what it names:
//! every relative link and image in README.md and docs/ resolves (a file
//! that exists, a heading that exists in it), and docs/cli.md names exactly
//! the subcommands and options `udp-lab --help` lists.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn documents() -> Vec<PathBuf> {
    let mut docs = vec![root().join("README.md")];
    let dir = root().join("docs");
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "md"))
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    docs.extend(found);
    docs
}

/// The text outside fenced code blocks (links in code are examples).
fn prose(text: &str) -> String {
    let mut out = String::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if !fenced {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The targets of `[text](target)` and `![alt](target)`, without a title.
fn link_targets(text: &str) -> Vec<String> {
    let mut targets = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("](") {
        rest = &rest[i + 2..];
        let Some(end) = rest.find(')') else { break };
        let target = rest[..end].split_whitespace().next().unwrap_or("");
        targets.push(target.trim_matches(['<', '>']).to_string());
        rest = &rest[end..];
    }
    targets
}

/// GitHub's anchor for a heading: lower case, spaces to hyphens, other
/// punctuation dropped (letters of any script kept).
fn anchors(text: &str) -> BTreeSet<String> {
    prose(text)
        .lines()
        .filter(|l| l.starts_with('#'))
        .map(|l| udp_lab::lab::guide::slug(l.trim_start_matches('#')))
        .collect()
}

#[test]
fn every_relative_link_and_image_resolves() {
    let mut broken = Vec::new();
    let mut checked = 0;
    for doc in documents() {
        let text = std::fs::read_to_string(&doc).unwrap_or_default();
        let dir = doc.parent().unwrap_or(Path::new("."));
        for target in link_targets(&prose(&text)) {
            if target.contains("://") || target.starts_with("mailto:") || target.is_empty() {
                continue;
            }
            checked += 1;
            let (file, anchor) = match target.split_once('#') {
                Some((f, a)) => (f, Some(a)),
                None => (target.as_str(), None),
            };
            let path = if file.is_empty() {
                doc.clone()
            } else {
                dir.join(file)
            };
            if !path.exists() {
                broken.push(format!("{}: {target} (no such file)", doc.display()));
                continue;
            }
            if let Some(anchor) = anchor
                && path.extension().is_some_and(|x| x == "md")
            {
                let there = std::fs::read_to_string(&path).unwrap_or_default();
                if !anchors(&there).contains(anchor) {
                    broken.push(format!("{}: {target} (no such heading)", doc.display()));
                }
            }
        }
    }
    assert!(
        checked > 10,
        "only {checked} links found: is the parser right?"
    );
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

fn help(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_udp-lab"))
        .args(args)
        .args(["--help", "--lang", "en"])
        .output()
        .expect("run udp-lab --help");
    assert!(out.status.success(), "udp-lab {args:?} --help failed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `--long` options in a text (not `--` alone, not inside a longer word).
fn options(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(at) = text[i..].find("--") {
        let start = i + at;
        let before_ok = start == 0 || !(bytes[start - 1].is_ascii_alphanumeric());
        let name: String = text[start + 2..]
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')
            .collect();
        if before_ok && name.len() > 1 && name.starts_with(|c: char| c.is_ascii_lowercase()) {
            found.insert(format!("--{}", name.trim_end_matches('-')));
        }
        i = start + 2 + name.len();
    }
    found
}

/// The subcommands `udp-lab --help` lists under "Commands:".
fn subcommands(top: &str) -> Vec<String> {
    top.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|c| c != "help")
        .collect()
}

#[test]
fn cli_md_names_every_option_of_the_help_and_no_other() {
    let cli_md = std::fs::read_to_string(root().join("docs/cli.md")).unwrap_or_default();
    assert!(!cli_md.is_empty(), "docs/cli.md is missing");
    let top = help(&[]);
    let commands = subcommands(&top);
    assert!(commands.len() >= 4, "subcommands not found in:\n{top}");
    let mut in_help = options(&top);
    for command in &commands {
        assert!(
            cli_md.contains(&format!("udp-lab {command}")),
            "docs/cli.md does not describe `udp-lab {command}`"
        );
        in_help.extend(options(&help(&[command])));
    }
    let in_doc = options(&cli_md);
    let undocumented: Vec<_> = in_help.difference(&in_doc).collect();
    let unknown: Vec<_> = in_doc.difference(&in_help).collect();
    assert!(
        undocumented.is_empty(),
        "in --help but not in docs/cli.md: {undocumented:?}"
    );
    assert!(
        unknown.is_empty(),
        "in docs/cli.md but not in --help: {unknown:?}"
    );
}
