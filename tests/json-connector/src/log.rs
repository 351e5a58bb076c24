//! The log: one line per record on stderr, `LEVEL message`, below `loggerLevel` left out.
//! Control characters in a message (a table name from the document, say) are escaped, so a
//! record stays one line. No record ever holds the bearer token: nothing that logs is given it.

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Debug,
    Info,
    Warn,
    Error,
}

impl Level {
    /// OpenMetadata's `LogLevels` word.
    pub fn parse(word: &str) -> Option<Level> {
        match word {
            "DEBUG" => Some(Level::Debug),
            "INFO" => Some(Level::Info),
            "WARN" => Some(Level::Warn),
            "ERROR" => Some(Level::Error),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Log {
    pub min: Level,
}

impl Log {
    pub fn debug(&self, message: &str) {
        self.write(Level::Debug, message);
    }

    pub fn info(&self, message: &str) {
        self.write(Level::Info, message);
    }

    pub fn error(&self, message: &str) {
        self.write(Level::Error, message);
    }

    fn write(&self, level: Level, message: &str) {
        if let Some(line) = self.line(level, message) {
            eprintln!("{line}");
        }
    }

    /// The record as written, or `None` below the level.
    pub fn line(&self, level: Level, message: &str) -> Option<String> {
        (level >= self.min).then(|| format!("{} {}", level.name(), one_line(message)))
    }
}

/// `message` with every control character escaped (`\n`, `\u{1b}`).
pub fn one_line(message: &str) -> String {
    message
        .chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_below_the_level_are_left_out() {
        let log = Log { min: Level::Warn };
        assert_eq!(log.line(Level::Info, "x"), None);
        assert_eq!(log.line(Level::Warn, "x").unwrap(), "WARN x");
        assert_eq!(log.line(Level::Error, "x").unwrap(), "ERROR x");
        let log = Log { min: Level::Debug };
        assert_eq!(log.line(Level::Debug, "x").unwrap(), "DEBUG x");
    }

    #[test]
    fn a_record_is_one_line() {
        let log = Log { min: Level::Info };
        assert_eq!(
            log.line(Level::Info, "table `a\n\u{1b}[31mb`\r").unwrap(),
            "INFO table `a\\n\\u{1b}[31mb`\\r"
        );
    }

    #[test]
    fn levels_are_openmetadata_words() {
        assert_eq!(Level::parse("DEBUG"), Some(Level::Debug));
        assert_eq!(Level::parse("ERROR"), Some(Level::Error));
        assert_eq!(Level::parse("debug"), None);
        assert_eq!(Level::parse("TRACE"), None);
    }
}
