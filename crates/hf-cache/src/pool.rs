//! Reused blocks for the bytes of a large download.
//!
//! The network's chunks are copied into blocks of [`BLOCK`] bytes as they arrive, and each block
//! is then written to the file and hashed as it is (one hand-off to the writer, one to the
//! hasher, per block). Copying out at once lets hyper reuse its read buffer instead of
//! allocating a fresh one per read, and the blocks come back to the pool when the writer and
//! the hasher are done with them: the profile of a 2 GiB download showed a tenth of its CPU time
//! in page faults on freshly allocated buffers, more than the copy costs.

use std::sync::{Arc, Mutex};

use bytes::Bytes;

/// Bytes per block: large writes and few hand-offs, at a memory cost bounded by the queues.
pub(crate) const BLOCK: usize = 1 << 20;
/// Bytes per `write` to the file. Larger writes make the kernel build the page cache of larger
/// folios, which on the benchmark machine (Linux 6.18 in a VM) cost far more than they save:
/// copying 2 GiB into a fresh file took 4.4 s of system time in 1 MiB writes, 2.3-3.0 s in 128
/// or 256 KiB writes, and 1.0-1.4 s in 32 or 64 KiB writes (`dd`, same machine).
pub(crate) const WRITE: usize = 64 << 10;

/// Writes `data` at `offset` in [`WRITE`]-sized pieces.
pub(crate) fn write_all_at(
    file: &std::fs::File,
    data: &[u8],
    mut offset: u64,
) -> std::io::Result<()> {
    use crate::positioned::FileExt;
    for piece in data.chunks(WRITE) {
        file.write_all_at(piece, offset)?;
        offset += piece.len() as u64;
    }
    Ok(())
}

/// Writes all of `data` in [`WRITE`]-sized pieces at the file's cursor.
pub(crate) fn write_all(file: &mut std::fs::File, data: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    data.chunks(WRITE)
        .try_for_each(|piece| file.write_all(piece))
}

/// Blocks kept for reuse at most (more are freed).
const KEEP: usize = 16;

/// A free list of blocks, shared by the connections of one download.
#[derive(Clone, Default)]
pub(crate) struct BlockPool {
    free: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl BlockPool {
    /// An empty block with room for [`BLOCK`] bytes.
    pub(crate) fn take(&self) -> Vec<u8> {
        self.free
            .lock()
            .ok()
            .and_then(|mut f| f.pop())
            .unwrap_or_else(|| Vec::with_capacity(BLOCK))
    }

    /// Shares a filled block; it returns to the pool when the last handle is dropped.
    pub(crate) fn freeze(&self, block: Vec<u8>) -> Bytes {
        Bytes::from_owner(Pooled {
            block,
            free: self.free.clone(),
        })
    }
}

/// A block on loan.
struct Pooled {
    block: Vec<u8>,
    free: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl AsRef<[u8]> for Pooled {
    fn as_ref(&self) -> &[u8] {
        &self.block
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        let mut block = std::mem::take(&mut self.block);
        block.clear();
        if let Ok(mut free) = self.free.lock()
            && free.len() < KEEP
        {
            free.push(block);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_come_back_when_every_handle_is_dropped() {
        let pool = BlockPool::default();
        let mut block = pool.take();
        block.extend_from_slice(b"abc");
        let addr = block.as_ptr();
        let bytes = pool.freeze(block);
        let part = bytes.slice(1..);
        drop(bytes);
        // Still lent out through `part`: a new block is allocated.
        let other = pool.take();
        assert_ne!(other.as_ptr(), addr);
        drop(other);
        assert_eq!(&part[..], b"bc");
        drop(part);
        let again = pool.take();
        assert_eq!(again.as_ptr(), addr);
        assert!(again.is_empty() && again.capacity() >= 3);
    }
}
