//! Error messages say what is true: the real number of keys an ambiguous prefix matches, the
//! grace actually given, and a leap second refused rather than silently moved to the next day.

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

#[test]
fn a_leap_second_is_refused_not_moved_to_the_next_day() {
    let sb = Sandbox::new();
    sb.api_key("k", "svc", &[]);
    let before = sb.snapshot();
    for args in [
        vec![
            "generate",
            "api-key",
            "-n",
            "x",
            "-s",
            "s",
            "--expires-at",
            "2030-12-31T23:59:60Z",
        ],
        vec![
            "import",
            "plain_value_abcdefghijkl",
            "-n",
            "x",
            "-s",
            "s",
            "--expires-at",
            "2016-12-31T23:59:60Z",
        ],
        vec![
            "generate",
            "jwt",
            "-n",
            "x",
            "-s",
            "s",
            "--expires-at",
            "2031-01-01T01:59:60+02:00",
        ],
        vec!["log", "--since", "2016-12-31T23:59:60Z"],
    ] {
        let out = sb.run(&args).fails(2, &["leap second", "23:59:59"]);
        assert!(out.stdout.is_empty(), "{}", out.stdout);
    }
    assert_unchanged(&before, &sb.snapshot(), "a leap second");
}
