//! CI logs: ANSI escape sequences (colours, cursor moves, OSC hyperlinks) are removed before
//! scanning. Line structure is kept, so line numbers match the log as a viewer shows it.

/// Removes ANSI/VT100 escape sequences: CSI (`ESC [ … final`), OSC (`ESC ] … BEL|ESC \`) and
/// two-byte escapes. Written by hand: a 30-line state machine, not worth a dependency.
pub fn strip_ansi(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let mut i = 0;
    while i < data.len() {
        let b = data[i];
        if b == 0x1b && i + 1 < data.len() {
            match data[i + 1] {
                b'[' => {
                    // CSI: parameters and intermediates, then a final byte 0x40..=0x7e.
                    let mut j = i + 2;
                    while j < data.len() && !(0x40..=0x7e).contains(&data[j]) && data[j] != b'\n' {
                        j += 1;
                    }
                    i = if j < data.len() && data[j] != b'\n' {
                        j + 1
                    } else {
                        j
                    };
                }
                b']' => {
                    // OSC: ends at BEL or ESC \ (or the end of the line).
                    let mut j = i + 2;
                    while j < data.len() && data[j] != 0x07 && data[j] != b'\n' {
                        if data[j] == 0x1b && data.get(j + 1) == Some(&b'\\') {
                            j += 1;
                            break;
                        }
                        j += 1;
                    }
                    i = if j < data.len() && data[j] != b'\n' {
                        j + 1
                    } else {
                        j
                    };
                }
                _ => i += 2,
            }
        } else if b == b'\r' && data.get(i + 1) != Some(&b'\n') {
            // A bare carriage return (progress bars) becomes a space: line numbers stay.
            out.push(b' ');
            i += 1;
        } else {
            out.push(b);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_colours_and_links() {
        let log =
            b"\x1b[32mok\x1b[0m token=\x1b[1mabc\x1b[22m\n\x1b]8;;http://x\x07link\x1b]8;;\x07\n";
        assert_eq!(strip_ansi(log), b"ok token=abc\nlink\n");
        assert_eq!(strip_ansi(b"plain\r\n"), b"plain\r\n");
        assert_eq!(strip_ansi(b"a\x1b"), b"a\x1b");
    }
}
