//! Every CSV file tariffsim writes goes through [`Table`]: the csv crate
//! quotes a field only where RFC 4180 needs it (a comma, quote or line
//! break), so ordinary ids and numbers are written as they are and an odd
//! name can never break a row. Lines end with `\n`.

/// A CSV table being written into memory.
pub struct Table {
    w: csv::Writer<Vec<u8>>,
    /// Reused for each row's fields.
    fields: Vec<String>,
}

impl Table {
    /// A table with the given header (column names separated by commas).
    pub fn new(header: &str) -> Table {
        let mut t = Table::headless();
        t.row(header.split(','));
        t
    }

    /// A table without a header line (rows appended to an existing file).
    pub fn headless() -> Table {
        Table {
            w: csv::WriterBuilder::new()
                .terminator(csv::Terminator::Any(b'\n'))
                .from_writer(Vec::new()),
            fields: Vec::new(),
        }
    }

    /// Append one row.
    pub fn row<I, S>(&mut self, fields: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        // Writing into memory cannot fail.
        let _ = self.w.write_record(fields);
    }

    /// Append a row of text fields followed by numbers, formatted as every
    /// CSV of tariffsim formats them (`fmt_num`).
    pub fn row_with_numbers(&mut self, text: &[&str], numbers: &[f64]) {
        self.fields.clear();
        self.fields.extend(text.iter().map(|s| (*s).to_string()));
        self.fields
            .extend(numbers.iter().map(|x| crate::engine::fmt_num(*x)));
        let _ = self.w.write_record(&self.fields);
    }

    /// The bytes written.
    pub fn into_bytes(self) -> Vec<u8> {
        self.w
            .into_inner()
            .unwrap_or_else(|e| e.into_inner().get_ref().clone())
    }
}

#[cfg(test)]
mod tests {
    use super::Table;

    #[test]
    fn fields_are_quoted_only_where_needed() {
        let mut t = Table::new("a,b,c");
        t.row(["plain", "strict,\"hard\"", "x\ny"]);
        t.row_with_numbers(&["id"], &[0.5, -0.0]);
        assert_eq!(
            String::from_utf8(t.into_bytes()).unwrap(),
            "a,b,c\nplain,\"strict,\"\"hard\"\"\",\"x\ny\"\nid,0.5,0\n"
        );
    }
}
