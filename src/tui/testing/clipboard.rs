//! An in-memory clipboard in place of the system one: no test touches the real one.

use std::sync::{Arc, Mutex};

use super::super::copy::{Board, OpenBoard};

/// The contents of the fake clipboard, shared with the test that reads them.
#[derive(Clone, Default)]
pub struct Shared(pub Arc<Mutex<Option<String>>>);

struct Fake(Shared);

impl Board for Fake {
    fn set(&mut self, text: &str) -> Result<(), String> {
        *self.0.0.lock().unwrap() = Some(text.to_owned());
        Ok(())
    }

    fn clear_if_holds(&mut self, text: &str) -> bool {
        let mut held = self.0.0.lock().unwrap();
        if held.as_deref() == Some(text) {
            *held = None;
            true
        } else {
            false
        }
    }
}

/// Opens the fake clipboard holding `shared`.
pub(crate) fn opener(shared: &Shared) -> OpenBoard {
    let shared = shared.clone();
    Box::new(move || Ok(Box::new(Fake(shared.clone())) as Box<dyn Board>))
}
