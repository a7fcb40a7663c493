//! The shell conventions and editor support of the binary: `completions`
//! for bash, zsh and fish, the man pages of `man`, and the JSON Schema of
//! `schema` (its validation of the scenarios is tests/schema/, in Python's
//! `jsonschema`), each covering every command the binary has.

use std::path::Path;
use std::process::{Command, Output};

fn tariffsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tariffsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("binary runs")
}

/// Standard output of a command that must succeed.
fn stdout(args: &[&str]) -> String {
    let out = tariffsim(args);
    assert!(
        out.status.success(),
        "tariffsim {args:?} failed ({:?}):\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// The commands `--help` lists (without clap's `help`).
fn commands() -> Vec<String> {
    let help = stdout(&["--help"]);
    let list = help
        .split("Commands:\n")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .expect("a Commands section");
    let names: Vec<String> = list
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| *n != "help")
        .map(str::to_string)
        .collect();
    // The ones this file was written for must be among them: a parse that
    // found nothing would make the tests below vacuous.
    for c in [
        "run",
        "compare",
        "sweep",
        "sensitivity",
        "merge",
        "validate",
        "explain",
        "init",
        "schema",
        "completions",
        "man",
    ] {
        assert!(names.iter().any(|n| n == c), "{c} in {names:?}");
    }
    names
}

#[test]
fn completions_of_each_shell_name_every_command() {
    let commands = commands();
    for (shell, marker) in [
        ("bash", "complete -F _tariffsim"),
        ("zsh", "#compdef tariffsim"),
        ("fish", "complete -c tariffsim"),
    ] {
        let script = stdout(&["completions", shell]);
        assert!(script.contains(marker), "{shell}: no `{marker}`");
        for c in &commands {
            assert!(script.contains(c.as_str()), "{shell}: no `{c}`");
        }
        // Options of a subcommand are completed too.
        assert!(script.contains("split-by"), "{shell}: no run --split-by");
    }
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let out = tariffsim(&["completions", "cmd.exe"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("possible values"));
}

#[test]
fn the_man_page_lists_every_command() {
    let page = stdout(&["man"]);
    assert!(page.contains(".TH tariffsim 1"), "a title header");
    assert!(page.contains(".SH SUBCOMMANDS"), "a SUBCOMMANDS section");
    for c in commands() {
        assert!(page.contains(&format!("tariffsim\\-{c}(1)")), "no `{c}`");
    }
}

#[test]
fn man_out_writes_one_page_per_command() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let target = dir.path().join("man1");
    let said = stdout(&["man", "--out", target.to_str().expect("UTF-8 path")]);
    assert!(said.contains("man -l"), "{said}");
    let main = std::fs::read_to_string(target.join("tariffsim.1")).expect("tariffsim.1");
    assert!(main.contains(".TH tariffsim 1"));
    for c in commands() {
        let page = std::fs::read_to_string(target.join(format!("tariffsim-{c}.1")))
            .unwrap_or_else(|e| panic!("tariffsim-{c}.1: {e}"));
        assert!(page.contains(&format!(".TH tariffsim-{c} 1")), "{c}");
    }
    let run = std::fs::read_to_string(target.join("tariffsim-run.1")).expect("run page");
    assert!(
        run.contains("\\-\\-per\\-run"),
        "the run page has its options"
    );
}

#[test]
fn man_out_into_a_file_fails_with_exit_1() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let file = dir.path().join("plain");
    std::fs::write(&file, "x").expect("write");
    let inside = Path::new(&file).join("man1");
    let out = tariffsim(&["man", "--out", inside.to_str().expect("UTF-8 path")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write the man pages"));
}

#[test]
fn schema_prints_a_draft_07_schema_that_refuses_unknown_keys() {
    let text = stdout(&["schema"]);
    let s: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(s["$schema"], "http://json-schema.org/draft-07/schema#");
    assert_eq!(s["additionalProperties"], false);
    let top: Vec<&str> = s["properties"]
        .as_object()
        .expect("properties")
        .keys()
        .map(String::as_str)
        .collect();
    for k in [
        "base",
        "scenario",
        "economies",
        "sectors",
        "trade",
        "tariffs",
    ] {
        assert!(top.contains(&k), "{k} in {top:?}");
    }
    assert_eq!(text, stdout(&["schema"]), "the same bytes every time");
}
