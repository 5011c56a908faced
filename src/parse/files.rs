//! Finding schema files: a `.sql` or YAML file, or every `.sql`, `.yaml` and `.yml` file
//! under a directory.
//!
//! Input: a path. Output: the files to read, sorted by path so that the statements come
//! out in the same order on every machine. Reads directory listings only, never files.

use std::path::{Path, PathBuf};

use crate::error::{Error, Location, Result};

/// The byte-order mark some editors put at the start of a UTF-8 file.
const BOM: char = '\u{feff}';

/// The text of a file schemaplan reads: UTF-8 (an error names the line and column of
/// the first bad byte), without a leading byte-order mark. Every reader goes through
/// here, so a BOM means the same to `plan`, `check`, `apply` and the rest.
pub fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    decode_text(path, bytes)
}

/// [`read_text`] for bytes already in memory (`path` names them in errors).
pub fn decode_text(path: &Path, bytes: Vec<u8>) -> Result<String> {
    match String::from_utf8(bytes) {
        Ok(text) => Ok(match text.strip_prefix(BOM) {
            Some(rest) => rest.to_string(),
            None => text,
        }),
        Err(e) => {
            let bytes = e.as_bytes();
            let at = e.utf8_error().valid_up_to();
            // Everything before `at` is valid UTF-8.
            let before = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            let before_line = &before[line_start..];
            let column = before_line.chars().count() + 1
                - usize::from(line_start == 0 && before_line.starts_with(BOM));
            Err(Error::Encoding {
                location: Location {
                    path: path.to_path_buf(),
                    line: before.matches('\n').count() + 1,
                    column,
                },
                byte: bytes[at],
            })
        }
    }
}

/// `text` without a leading byte-order mark.
pub fn strip_bom(text: &str) -> &str {
    text.strip_prefix(BOM).unwrap_or(text)
}

/// The `.sql` files at `path`: the file itself when it is a file (whatever its
/// extension: the user named it), else every `*.sql` below the directory, recursively,
/// sorted by path.
pub(crate) fn sql_files(path: &Path) -> Result<Vec<PathBuf>> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    collect(path, &mut files)?;
    files.sort();
    Ok(files)
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let path = entry.path();
        // metadata() follows symlinks, so a linked directory or file counts like a real one.
        let meta = std::fs::metadata(&path).map_err(|e| Error::io(&path, e))?;
        if meta.is_dir() {
            collect(&path, files)?;
        } else if meta.is_file() && is_sql(&path) {
            files.push(path);
        }
    }
    Ok(())
}

/// `.sql`, or a YAML schema file (`.yaml`, `.yml`).
fn is_sql(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("sql"))
        || super::yaml::is_yaml(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_sql_files_recursively_in_path_order() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("b/c")).unwrap();
        for f in [
            "z.sql",
            "a.sql",
            "b/c/x.sql",
            "b/y.SQL",
            "notes.txt",
            "b/readme.md",
            "b/c/t.yaml",
        ] {
            std::fs::write(root.join(f), "").unwrap();
        }
        let files: Vec<String> = sql_files(root)
            .unwrap()
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().display().to_string())
            .collect();
        assert_eq!(
            files,
            ["a.sql", "b/c/t.yaml", "b/c/x.sql", "b/y.SQL", "z.sql"]
        );
    }

    #[test]
    fn text_loses_its_bom_and_bad_bytes_are_located() {
        let p = Path::new("s/a.sql");
        assert_eq!(decode_text(p, b"\xef\xbb\xbfab".to_vec()).unwrap(), "ab");
        assert_eq!(decode_text(p, b"ab".to_vec()).unwrap(), "ab");
        let err = decode_text(p, b"x\ny\xc3\xa9z\xff;\n".to_vec()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "s/a.sql:2:4: not valid UTF-8 (byte 0xff); save the file as UTF-8"
        );
        let err = decode_text(p, b"\xef\xbb\xbfa\xe9".to_vec()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "s/a.sql:1:2: not valid UTF-8 (byte 0xe9); save the file as UTF-8"
        );
    }

    #[test]
    fn a_missing_path_is_named() {
        let err = sql_files(Path::new("/no/such/schema")).unwrap_err();
        assert!(err.to_string().starts_with("/no/such/schema: "), "{err}");
    }
}
