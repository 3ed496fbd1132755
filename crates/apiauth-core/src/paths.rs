//! Where apiauth keeps its files when no directory is given.

use std::path::PathBuf;

/// The platform's directories for apiauth (`~/.local/share/apiauth` and `~/.config/apiauth` on
/// Linux), when a home directory can be found.
pub fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "apiauth")
}

/// The key directory: `--key-dir` > `APIAUTH_HOME` > the platform data directory.
pub fn key_dir(flag: Option<PathBuf>, env: Option<PathBuf>) -> Option<PathBuf> {
    flag.or(env)
        .or_else(|| project_dirs().map(|p| p.data_dir().to_path_buf()))
}
