//! `export`: the metadata of active keys (rendering it is the faces' work).

use super::{Context, Filter, KeyView, list};
use crate::error::Result;
use crate::events::{Event, EventKind};

/// Active keys (healthy or expiring) matching `filter`, for `export` in `format` (named in the
/// record of the export).
pub fn export(ctx: &Context, filter: &Filter, format: &str) -> Result<Vec<KeyView>> {
    let mut keys = list(ctx, filter)?;
    keys.retain(|v| v.status.is_active());
    ctx.record(Event::new(
        ctx.now(),
        EventKind::Export,
        None,
        "ok",
        format!("format {format}, {} keys", keys.len()),
    ));
    Ok(keys)
}
