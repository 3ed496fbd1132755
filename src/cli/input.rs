//! Reading a secret value: from the argument, from stdin, or from a masked prompt on a
//! terminal. A value on the command line is visible in `ps`, so stdin is the recommended way.

use std::io::{IsTerminal as _, Read as _, Write as _};

use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use zeroize::Zeroizing;

use crate::crypto::SecretString;
use crate::error::{Error, Result};

/// Most bytes read from stdin for one value (a dotenv file may be larger; see `read_all`).
const MAX_VALUE_BYTES: u64 = 64 * 1024;
/// Most bytes read from a `--from-file` source.
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Where a value comes from.
pub fn read_value(arg: Option<String>, may_prompt: bool, what: &str) -> Result<SecretString> {
    if let Some(value) = arg.filter(|v| v != "-") {
        return Ok(SecretString::new(value));
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        if !may_prompt {
            return Err(Error::invalid(
                "VALUE",
                format!(
                    "no {what} given: pass it on stdin (echo \"$KEY\" | apiauth …) or as an argument"
                ),
            ));
        }
        return prompt_masked(&format!("{what}: "));
    }
    let mut buf = Zeroizing::new(Vec::new());
    stdin
        .lock()
        .take(MAX_VALUE_BYTES)
        .read_to_end(&mut buf)
        .map_err(|e| Error::invalid("VALUE", format!("could not read stdin: {e}")))?;
    let text = std::str::from_utf8(&buf)
        .map_err(|_| Error::invalid("VALUE", format!("the {what} on stdin is not UTF-8")))?;
    let value = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    if value.is_empty() {
        return Err(Error::invalid("VALUE", format!("stdin held no {what}")));
    }
    Ok(SecretString::new(value.to_owned()))
}

/// Reads a whole file (or stdin for `-`) that holds secrets.
pub fn read_secret_file(path: &std::path::Path) -> Result<Zeroizing<String>> {
    let mut buf = Zeroizing::new(Vec::new());
    let read = if path.as_os_str() == "-" {
        std::io::stdin()
            .lock()
            .take(MAX_FILE_BYTES)
            .read_to_end(&mut buf)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(MAX_FILE_BYTES).read_to_end(&mut buf))
    };
    read.map_err(|e| {
        Error::invalid(
            "--from-file",
            format!("could not read {}: {e}", path.display()),
        )
    })?;
    let text = std::str::from_utf8(&buf).map_err(|_| {
        Error::invalid(
            "--from-file",
            format!("{} is not UTF-8 text", path.display()),
        )
    })?;
    Ok(Zeroizing::new(text.to_owned()))
}

/// Prompts on the terminal and reads a line without echoing it (a `•` per character).
fn prompt_masked(prompt: &str) -> Result<SecretString> {
    let mut tty = std::io::stderr();
    let _ = write!(tty, "{prompt}");
    let _ = tty.flush();
    crossterm::terminal::enable_raw_mode()
        .map_err(|e| Error::invalid("VALUE", format!("cannot read from the terminal: {e}")))?;
    let mut value = Zeroizing::new(String::new());
    let outcome = loop {
        match event::read() {
            Ok(Event::Key(key)) if key.kind != KeyEventKind::Release => match key.code {
                KeyCode::Enter => break Ok(()),
                KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                    break Err(Error::invalid("VALUE", "cancelled"));
                }
                KeyCode::Esc => break Err(Error::invalid("VALUE", "cancelled")),
                KeyCode::Backspace if value.pop().is_some() => {
                    let _ = write!(tty, "\x08 \x08");
                }
                KeyCode::Char(c) => {
                    value.push(c);
                    let _ = write!(tty, "•");
                }
                _ => {}
            },
            Ok(Event::Paste(text)) => {
                let text = Zeroizing::new(text);
                for c in text.chars().filter(|c| !c.is_control()) {
                    value.push(c);
                    let _ = write!(tty, "•");
                }
            }
            Ok(_) => {}
            Err(e) => {
                break Err(Error::invalid(
                    "VALUE",
                    format!("cannot read from the terminal: {e}"),
                ));
            }
        }
        let _ = tty.flush();
    };
    let _ = crossterm::terminal::disable_raw_mode();
    let _ = writeln!(tty);
    outcome?;
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(Error::invalid("VALUE", "nothing was entered"));
    }
    Ok(SecretString::new(trimmed.to_owned()))
}
