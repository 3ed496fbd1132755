//! Error messages say what is true: the real number of keys an ambiguous prefix matches, the
//! grace actually given, a leap second refused rather than silently moved to the next day, and
//! no argument echoed whole when it is 120 KB long (clap's own errors included).

mod common;

use common::{Sandbox, assert_unchanged};

#[test]
fn an_ambiguous_prefix_says_how_many_keys_it_matches() {
    let sb = Sandbox::new();
    let ids: Vec<String> = (0..14)
        .map(|i| sb.api_key(&format!("key-{i}"), "svc", &[]).id)
        .collect();
    let before = sb.snapshot();
    let out = sb
        .run(&["show", "k_"])
        .fails(2, &["matches 14 keys", "Candidates"]);
    let listed = ids
        .iter()
        .filter(|id| out.stderr.contains(id.as_str()))
        .count();
    assert!(
        (1..14).contains(&listed),
        "a few candidates, not all:\n{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(&format!("and {} more", 14 - listed)),
        "{}",
        out.stderr
    );
    assert_unchanged(&before, &sb.snapshot(), "an ambiguous prefix");
}

#[test]
fn a_grace_over_the_maximum_is_described_as_given() {
    let sb = Sandbox::new();
    let key = sb.api_key("k", "svc", &[]);
    let before = sb.snapshot();
    for (grace, described) in [
        (
            "8761h",
            "8761h (365 days 1 hour) is longer than the maximum of 365 days",
        ),
        (
            "366d",
            "366d (366 days) is longer than the maximum of 365 days",
        ),
        (
            "365d1s",
            "365d1s (365 days 1 second) is longer than the maximum of 365 days",
        ),
        (
            "53w",
            "53w (371 days) is longer than the maximum of 365 days",
        ),
    ] {
        sb.run(&["rotate", &key.id, "--grace", grace])
            .fails(2, &[described]);
    }
    assert_unchanged(&before, &sb.snapshot(), "a refused grace");
    sb.run(&["rotate", &key.id, "--grace", "8760h"]).ok();
}

/// `generate KIND -n x -s s EXTRA…`.
fn generate<'a>(kind: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    [&["generate", kind, "-n", "x", "-s", "s"][..], extra].concat()
}

#[test]
fn a_leap_second_is_refused_not_moved_to_the_next_day() {
    let sb = Sandbox::new();
    sb.api_key("k", "svc", &[]);
    let before = sb.snapshot();
    let import = ["import", "plain_value_abcdefghijkl", "-n", "x", "-s", "s"];
    for args in [
        generate("api-key", &["--expires-at", "2030-12-31T23:59:60Z"]),
        generate("jwt", &["--expires-at", "2031-01-01T01:59:60+02:00"]),
        [&import[..], &["--expires-at", "2016-12-31T23:59:60Z"]].concat(),
        vec!["log", "--since", "2016-12-31T23:59:60Z"],
    ] {
        let out = sb.run(&args).fails(2, &["leap second", "23:59:59"]);
        assert!(out.stdout.is_empty(), "{}", out.stdout);
    }
    assert_unchanged(&before, &sb.snapshot(), "a leap second");
}

/// A value long enough to flood a terminal.
fn huge() -> String {
    "A".repeat(120 * 1024)
}

#[test]
fn no_message_echoes_a_huge_argument_whole() {
    let sb = Sandbox::new();
    let key = sb.api_key("k", "svc", &[]);
    let before = sb.snapshot();
    let h = huge();
    let flag = format!("--{h}");
    let eq = format!("--expires-at={h}");
    let cases: Vec<Vec<&str>> = vec![
        // apiauth's own parsers.
        generate("api-key", &["-e", &h]),
        generate("api-key", &["--expires-at", &h]),
        generate("api-key", &[&eq]),
        generate("api-key", &["-p", &h]),
        generate("api-key", &["--env", &h]),
        generate("api-key", &["--scope", &h]),
        generate("api-key", &["-r", &h]),
        generate("jwt", &["-c", &h]),
        vec!["rotate", &key.id, "--grace", &h],
        vec!["list", "--status", &h],
        vec!["show", &h],
        // clap's own errors: a typed value, an unknown flag, an unexpected argument, an
        // unknown subcommand.
        vec!["export", "-f", &h],
        vec!["log", "--limit", &h],
        vec!["completions", &h],
        vec!["verify", &flag],
        vec!["list", &h],
        vec![&h],
    ];
    for args in &cases {
        let out = sb.run(args);
        assert!(
            out.code == 2 || out.code == 4,
            "{:?}: exit {}",
            &args[..args.len() - 1],
            out.code
        );
        assert!(
            out.stderr.len() < 2_000,
            "{:?} echoed {} bytes:\n{}…",
            &args[..args.len() - 1],
            out.stderr.len(),
            &out.stderr[..300.min(out.stderr.len())]
        );
        assert!(
            out.stderr.contains("…") && out.stderr.contains("characters"),
            "{:?}: the cut is marked with the length:\n{}",
            &args[..args.len() - 1],
            out.stderr
        );
    }
    assert_unchanged(&before, &sb.snapshot(), "huge arguments");
}
