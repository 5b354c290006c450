//! Cutting a command's output into the chunks written to KV: at most [`CHUNK_SIZE`] bytes
//! each, a partial chunk held back until more arrives or the stream goes quiet for
//! [`IDLE_FLUSH`] (the timing is the caller's; this part only keeps the buffer).

use std::time::Duration;

/// Largest output chunk stored in one key (Consul's 4 KiB).
pub const CHUNK_SIZE: usize = 4 * 1024;
/// A partial chunk is written after this long without more output.
pub const IDLE_FLUSH: Duration = Duration::from_millis(500);

/// The output not yet cut into a full chunk.
#[derive(Debug, Default)]
pub struct Chunker {
    buf: Vec<u8>,
}

impl Chunker {
    /// Add output; returns every chunk that is now full.
    pub fn push(&mut self, mut data: &[u8]) -> Vec<Vec<u8>> {
        let mut full = Vec::new();
        while !data.is_empty() {
            let room = CHUNK_SIZE - self.buf.len();
            let take = room.min(data.len());
            self.buf.extend_from_slice(&data[..take]);
            data = &data[take..];
            if self.buf.len() == CHUNK_SIZE {
                full.push(std::mem::take(&mut self.buf));
            }
        }
        full
    }

    /// The partial chunk, if any (on idle or at the end of the output).
    pub fn flush(&mut self) -> Option<Vec<u8>> {
        (!self.buf.is_empty()).then(|| std::mem::take(&mut self.buf))
    }

    /// Whether output is waiting to be flushed.
    pub fn pending(&self) -> bool {
        !self.buf.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_output_waits_for_a_flush() {
        let mut c = Chunker::default();
        assert!(c.push(b"hello\n").is_empty());
        assert!(c.pending());
        assert_eq!(c.flush().unwrap(), b"hello\n");
        assert!(c.flush().is_none());
    }

    #[test]
    fn large_output_is_cut_at_the_chunk_size_without_losing_a_byte() {
        let mut c = Chunker::default();
        let data: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        let mut out = Vec::new();
        for piece in data.chunks(3000) {
            for chunk in c.push(piece) {
                assert_eq!(chunk.len(), CHUNK_SIZE);
                out.extend(chunk);
            }
        }
        out.extend(c.flush().unwrap());
        assert_eq!(out, data);
    }
}
