//! Reading a secret value: from the argument, from stdin, or from a masked prompt on a
//! terminal. A value on the command line is visible in `ps`, so stdin is the recommended way.

use std::io::{IsTerminal as _, Read as _, Write as _};

use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use zeroize::Zeroizing;

use apiauth_core::SecretString;
use apiauth_core::ops;
use apiauth_core::{Error, Field, Result};

/// Most bytes read from a `--from-file` source.
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// A value read from stdin: exactly what was sent, less one trailing newline (DESIGN.md §1).
struct StdinValue {
    /// The value; lossy UTF-8 and cut at the cap when it is not one key.
    text: SecretString,
    /// Why it cannot be a key, in words for `import`; `None` when it may be one.
    problem: Option<String>,
}

/// Reads stdin up to the longest value a key may have (and its newline), never more: an
/// endless stdin (`< /dev/zero`) costs 16 KiB.
fn read_stdin(what: &str) -> Result<StdinValue> {
    let cap = ops::MAX_IMPORT_LEN + 2;
    let mut buf = Zeroizing::new(Vec::with_capacity(cap + 1));
    std::io::stdin()
        .lock()
        .take(cap as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(|e| Error::invalid(Field::ValueSource, format!("could not read stdin: {e}")))?;
    let text = Zeroizing::new(String::from_utf8_lossy(&buf).into_owned());
    let value = text
        .strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(&text);
    let problem = if buf.len() > cap || value.len() > ops::MAX_IMPORT_LEN {
        Some(format!(
            "the {what} on stdin is longer than {} bytes, which no key is",
            ops::MAX_IMPORT_LEN
        ))
    } else if std::str::from_utf8(&buf).is_err() {
        Some(format!("the {what} on stdin is not UTF-8 text"))
    } else if value.is_empty() {
        Some(format!(
            "stdin is empty: pipe the {what} in, e.g. printf '%s\\n' \"$KEY\" | apiauth …"
        ))
    } else if value.contains(['\n', '\r']) {
        Some(format!(
            "stdin holds more than one line; the {what} is the whole input, with only one \
             trailing newline removed"
        ))
    } else {
        None
    };
    Ok(StdinValue {
        text: SecretString::new(value.to_owned()),
        problem,
    })
}

/// The value to import: the argument, a masked prompt on a terminal, or stdin, which must
/// hold exactly one value (anything else is a usage error).
pub fn read_value(arg: Option<String>, may_prompt: bool, what: &str) -> Result<SecretString> {
    if let Some(value) = from_arg_or_prompt(arg, may_prompt, what)? {
        return Ok(value);
    }
    let read = read_stdin(what)?;
    match read.problem {
        Some(problem) => Err(Error::invalid(Field::ValueSource, problem)),
        None => Ok(read.text),
    }
}

/// The value presented to verify, taken as it is: one that cannot be a key (several lines,
/// empty, too long, not UTF-8) is for verify to answer `not_found`, not a usage error.
pub fn read_presented(arg: Option<String>, may_prompt: bool, what: &str) -> Result<SecretString> {
    match from_arg_or_prompt(arg, may_prompt, what)? {
        Some(value) => Ok(value),
        None => Ok(read_stdin(what)?.text),
    }
}

/// The argument (unless it is `-`), or a masked prompt when stdin is a terminal; `None` when
/// the value is to be read from stdin.
fn from_arg_or_prompt(
    arg: Option<String>,
    may_prompt: bool,
    what: &str,
) -> Result<Option<SecretString>> {
    if let Some(value) = arg.filter(|v| v != "-") {
        return Ok(Some(SecretString::new(value)));
    }
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    if !may_prompt {
        return Err(Error::invalid(
            Field::ValueSource,
            format!(
                "no {what} given: pass it on stdin (echo \"$KEY\" | apiauth …) or as an argument"
            ),
        ));
    }
    prompt_masked(&format!("{what}: ")).map(Some)
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
            Field::ImportFile,
            format!("could not read {}: {e}", path.display()),
        )
    })?;
    let text = std::str::from_utf8(&buf).map_err(|_| {
        Error::invalid(
            Field::ImportFile,
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
    crossterm::terminal::enable_raw_mode().map_err(|e| {
        Error::invalid(
            Field::ValueSource,
            format!("cannot read from the terminal: {e}"),
        )
    })?;
    let mut value = Zeroizing::new(String::new());
    let outcome = loop {
        match event::read() {
            Ok(Event::Key(key)) if key.kind != KeyEventKind::Release => match key.code {
                KeyCode::Enter => break Ok(()),
                KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                    break Err(Error::invalid(Field::ValueSource, "cancelled"));
                }
                KeyCode::Esc => break Err(Error::invalid(Field::ValueSource, "cancelled")),
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
                    Field::ValueSource,
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
        return Err(Error::invalid(Field::ValueSource, "nothing was entered"));
    }
    Ok(SecretString::new(trimmed.to_owned()))
}
