//! Error messages say what is true: the real number of keys an ambiguous prefix matches.

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
