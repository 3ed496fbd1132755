//! Error messages say what is true: the real number of keys an ambiguous prefix matches, and
//! the grace actually given.

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
