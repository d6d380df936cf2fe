//! Scenario times and durations: `0`, `500ms`, `90s`, `5m`, `1h30m`, `2d` (units ms, s, m, h, d,
//! combinable from largest to smallest).

use crate::model::SimDuration;

/// Parses a duration; the error says what was expected.
pub fn parse(text: &str) -> Result<SimDuration, String> {
    let text = text.trim();
    if text == "0" {
        return Ok(SimDuration(0));
    }
    let expected = || format!("`{text}` is not a duration");
    let mut total: u64 = 0;
    let mut rest = text;
    let mut last_unit = u64::MAX;
    if rest.is_empty() {
        return Err(expected());
    }
    while !rest.is_empty() {
        let digits =
            rest.find(|c: char| !c.is_ascii_digit()).ok_or_else(|| format!("`{text}` has a number without a unit"))?;
        if digits == 0 {
            return Err(expected());
        }
        let number: u64 = rest[..digits].parse().map_err(|_| expected())?;
        rest = &rest[digits..];
        let (unit, len) = if rest.starts_with("ms") {
            (1, 2)
        } else if rest.starts_with('s') {
            (1_000, 1)
        } else if rest.starts_with('m') {
            (60_000, 1)
        } else if rest.starts_with('h') {
            (3_600_000, 1)
        } else if rest.starts_with('d') {
            (86_400_000, 1)
        } else {
            return Err(format!("`{text}` has an unknown unit"));
        };
        if unit >= last_unit {
            return Err(format!("`{text}`: units must go from largest to smallest"));
        }
        last_unit = unit;
        rest = &rest[len..];
        total = number
            .checked_mul(unit)
            .and_then(|n| total.checked_add(n))
            .ok_or_else(|| format!("`{text}` is too long"))?;
    }
    Ok(SimDuration(total))
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn durations() {
        assert_eq!(parse("0").unwrap().as_ms(), 0);
        assert_eq!(parse("500ms").unwrap().as_ms(), 500);
        assert_eq!(parse("1h30m").unwrap().as_ms(), 5_400_000);
        assert_eq!(parse("2d").unwrap().as_ms(), 172_800_000);
        assert!(parse("5").is_err());
        assert!(parse("5x").is_err());
        assert!(parse("1m1h").is_err());
        assert!(parse("").is_err());
    }
}
