//! Writes land in a staging folder next to the destination
//! (`.<name>._temporary-<job id>`, hidden from readers, which skip names
//! starting with `.` or `_`) and are moved into place only when every task
//! has finished: a new destination is the staging folder renamed; an
//! overwrite renames the old folder aside, renames the staging folder in and
//! then deletes the old one; an append moves each new file into the existing
//! folder. The `_SUCCESS` marker is written last. A failed or cancelled
//! write drops its `Staging`, which deletes the staging folder and leaves
//! the destination as it was.

use std::fs;
use std::path::{Path, PathBuf};

use ember_core::{Error, Result};

pub(crate) struct Staging {
    dest: PathBuf,
    dir: PathBuf,
    job: String,
    committed: bool,
}

fn io(path: &Path, e: std::io::Error) -> Error {
    Error::file(path.display(), e)
}

/// The destination's parent folder and its own name.
fn split(dest: &Path) -> Result<(PathBuf, String)> {
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Error::file(dest.display(), "cannot write to this path"))?;
    let parent = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok((parent, name))
}

impl Staging {
    /// Creates the staging folder for `dest` (and `dest`'s parents).
    pub(crate) fn create(dest: &Path, job: &str) -> Result<Staging> {
        let (parent, name) = split(dest)?;
        fs::create_dir_all(&parent).map_err(|e| io(&parent, e))?;
        let dir = parent.join(format!(".{name}._temporary-{job}"));
        fs::create_dir(&dir).map_err(|e| io(&dir, e))?;
        Ok(Staging { dest: dest.to_path_buf(), dir, job: job.to_string(), committed: false })
    }

    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// Moves the staged files into place: `replace` swaps the destination
    /// for them, otherwise they are added to it (or become it).
    pub(crate) fn commit(mut self, replace: bool) -> Result<()> {
        let marker = self.dir.join("_SUCCESS");
        fs::write(&marker, b"").map_err(|e| io(&marker, e))?;
        let exists = fs::symlink_metadata(&self.dest).is_ok();
        if !exists {
            fs::rename(&self.dir, &self.dest).map_err(|e| io(&self.dest, e))?;
        } else if replace {
            let (parent, name) = split(&self.dest)?;
            let old = parent.join(format!(".{name}._old-{}", self.job));
            fs::rename(&self.dest, &old).map_err(|e| io(&self.dest, e))?;
            if let Err(e) = fs::rename(&self.dir, &self.dest) {
                // put the old data back: the destination stays as it was
                let _ = fs::rename(&old, &self.dest);
                return Err(io(&self.dest, e));
            }
            // the new data is in place; a left-over old folder is only litter
            let _ = if old.is_dir() { fs::remove_dir_all(&old) } else { fs::remove_file(&old) };
        } else {
            if !self.dest.is_dir() {
                return Err(Error::file(self.dest.display(), "cannot append: the path is a file, not a folder"));
            }
            move_tree(&self.dir, &self.dest, true)?;
            let done = self.dest.join("_SUCCESS");
            fs::rename(&marker, &done).map_err(|e| io(&done, e))?;
            let _ = fs::remove_dir_all(&self.dir);
        }
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Moves every file under `from` to the same relative place under `to`
/// (the top-level `_SUCCESS` marker excepted when `skip_marker`).
fn move_tree(from: &Path, to: &Path, skip_marker: bool) -> Result<()> {
    let mut entries: Vec<_> = fs::read_dir(from).map_err(|e| io(from, e))?.filter_map(|e| e.ok()).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        if skip_marker && entry.file_name() == "_SUCCESS" {
            continue;
        }
        let src = entry.path();
        let dst = to.join(entry.file_name());
        if src.is_dir() {
            fs::create_dir_all(&dst).map_err(|e| io(&dst, e))?;
            move_tree(&src, &dst, false)?;
        } else {
            fs::rename(&src, &dst).map_err(|e| io(&dst, e))?;
        }
    }
    Ok(())
}
