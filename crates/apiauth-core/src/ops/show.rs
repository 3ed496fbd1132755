//! `show`: one key by id or unambiguous id prefix.

use super::{Context, KeyView, views};
use crate::error::Result;

/// One key by id or unambiguous id prefix.
pub fn show(ctx: &Context, id: &str) -> Result<KeyView> {
    let keystore = ctx.store.load()?;
    let index = keystore.resolve(id)?;
    Ok(views(ctx, keystore).swap_remove(index))
}
