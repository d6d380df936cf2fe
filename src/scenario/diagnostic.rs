//! Diagnostics for bad scenario input: the file, line and column, what is wrong and what was
//! expected, rendered with the offending source line (codespan-reporting).

use std::fmt;
use std::ops::Range;

use codespan_reporting::diagnostic::{Diagnostic as Report, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, Config, termcolor::NoColor};

/// One problem in one scenario file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file (or the name given to a scenario loaded from a string).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// Byte range in the source.
    pub span: Range<usize>,
    /// What is wrong.
    pub message: String,
    /// What was expected instead.
    pub expected: Option<String>,
    rendered: String,
}

impl Diagnostic {
    /// A diagnostic at `span` of `source`.
    pub fn new(
        file: &str,
        source: &str,
        span: Range<usize>,
        message: impl Into<String>,
        expected: Option<String>,
    ) -> Diagnostic {
        let message = message.into();
        let span = span.start.min(source.len())..span.end.min(source.len()).max(span.start.min(source.len()));
        let before = &source[..span.start];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        let files = SimpleFile::new(file, source);
        let mut report = Report::error().with_message(&message).with_labels(vec![
            Label::primary((), span.clone())
                .with_message(expected.as_deref().map(|e| format!("expected {e}")).unwrap_or_default()),
        ]);
        if let Some(expected) = &expected {
            report = report.with_notes(vec![format!("expected: {expected}")]);
        }
        let mut buffer = NoColor::new(Vec::new());
        let rendered = match term::emit(&mut buffer, &Config::default(), &files, &report) {
            Ok(()) => String::from_utf8_lossy(&buffer.into_inner()).into_owned(),
            Err(_) => String::new(),
        };
        Diagnostic { file: file.to_string(), line, column, span, message, expected, rendered }
    }

    /// A diagnostic about the file as a whole (it cannot be read).
    pub fn whole_file(file: &str, message: impl Into<String>) -> Diagnostic {
        let message = message.into();
        Diagnostic {
            file: file.to_string(),
            line: 1,
            column: 1,
            span: 0..0,
            rendered: String::new(),
            message,
            expected: None,
        }
    }
}

impl fmt::Display for Diagnostic {
    /// `file:line:column: error: message (expected …)`, then the source excerpt.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: error: {}", self.file, self.line, self.column, self.message)?;
        if let Some(expected) = &self.expected {
            write!(f, " (expected {expected})")?;
        }
        if !self.rendered.is_empty() {
            write!(f, "\n{}", self.rendered.trim_end())?;
        }
        Ok(())
    }
}

/// Every problem found in one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}
