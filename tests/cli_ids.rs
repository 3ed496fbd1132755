//! Key ids on the command line: the full id, a unique prefix with or without `k_`, and an
//! uppercase prefix all name the same key, for `show`, `rotate` and `revoke` alike.

mod common;

use common::Sandbox;

/// The shortest hex prefix of `id` that no other id shares.
fn unique_hex_prefix(id: &str, others: &[String]) -> String {
    let hex = id.strip_prefix("k_").expect("k_ id");
    (1..=hex.len())
        .map(|n| &hex[..n])
        .find(|p| {
            others
                .iter()
                .filter(|o| o.as_str() != id)
                .all(|o| !o[2..].starts_with(p))
        })
        .expect("ids are distinct")
        .to_owned()
}

#[test]
fn every_spelling_of_an_id_resolves() {
    let sb = Sandbox::new();
    for i in 0..6 {
        sb.api_key(&format!("key{i}"), "svc", &[]);
    }
    let ids = sb.ids();
    for id in &ids {
        let hex = unique_hex_prefix(id, &ids);
        let spellings = [
            id.clone(),
            id.to_uppercase(),
            format!("k_{hex}"),
            hex.clone(),
            hex.to_uppercase(),
            format!("K_{}", hex.to_uppercase()),
            format!("  {hex} "),
        ];
        for spelling in spellings {
            let shown = sb.json(&["show", &spelling, "-j"]);
            assert_eq!(shown["id"], id.as_str(), "{spelling:?}");
        }
    }
}

#[test]
fn rotate_and_revoke_take_prefixes() {
    let sb = Sandbox::new();
    let a = sb.api_key("a", "svc", &[]);
    let b = sb.api_key("b", "svc", &[]);
    let ids = [a.id.clone(), b.id.clone()];
    let hex = unique_hex_prefix(&a.id, &ids);

    let rotated = sb.json(&["rotate", &hex.to_uppercase(), "-j"]);
    assert_eq!(rotated["id"], a.id.as_str());
    assert_eq!(rotated["version"], 2);
    let revoked = sb.json(&["revoke", &format!("k_{hex}"), "-j"]);
    assert_eq!(revoked["id"], a.id.as_str());
    assert_eq!(revoked["status"], "revoked");
    assert_eq!(
        sb.json(&["show", &b.id, "-j"])["status"],
        "healthy",
        "the other key is untouched"
    );
}

#[test]
fn a_lone_key_is_found_by_k_alone() {
    let sb = Sandbox::new();
    let only = sb.api_key("only", "svc", &[]);
    assert_eq!(sb.json(&["show", "k_", "-j"])["id"], only.id.as_str());
}

#[test]
fn a_prefix_longer_than_an_id_is_not_found() {
    let sb = Sandbox::new();
    let key = sb.api_key("x", "svc", &[]);
    sb.run(&["show", &format!("{}0", key.id)])
        .fails(4, &["no key with id"]);
}
