//! A test-only SQLite VFS that models a disk with a volatile write cache, and cuts its power.
//!
//! It is SQLite's own crash-test idea (`src/test6.c`, the "crash" VFS) written over
//! `rusqlite::ffi`: it wraps the "unix" VFS and, for the files that hold durable state (the main
//! database, its WAL, a rollback journal),
//!
//! - keeps every write (and truncation) in memory, per file, in order: the disk's cache. Later
//!   reads and size queries of that file see them (an overlay on the real file);
//! - writes them through to the real file when that file is synced (`xSync`): from then on they
//!   are on the "platter";
//! - at the power cut ([`CutAt`]: the Nth write or the Nth sync, or [`CrashVfs::cut_now`])
//!   stops everything from reaching the disk: the write or sync that triggered it fails, and so
//!   does every later read, write, sync, truncation, open and delete through this VFS. What was
//!   still in the cache is then dropped ([`Loss::DropAll`]), or a random part of it reaches the
//!   real file ([`Loss::Torn`], as test6.c): each write in 512-byte pieces, each piece written,
//!   lost, or (1 in 10) written as garbage, in any combination and so in any order; truncations
//!   done or not. A piece never spills outside the bytes that write covered: the "unix" VFS
//!   tells SQLite the disk has powersafe overwrite, and the model keeps that promise.
//!
//! Shared memory (the `-shm` file), locks, sector size and device characteristics pass straight
//! through to "unix": the shared memory is not durable state, and a test should delete the
//! `-shm` file after a cut before it opens the database again (a power cut loses it).
//!
//! What it does not model: the real `fsync` (the model's durable state is the real file, already
//! in the OS page cache, so a sync writes through without calling `fsync`: faster, and nothing
//! here survives a real power cut), directory entries (a file created or deleted is so at once),
//! and files written outside SQLite. It is a simulation of a volatile disk cache below SQLite,
//! not a power cut.
//!
//! Memory-mapped I/O is off for files opened here (the file methods are version 2, without
//! `xFetch`), so every read goes through the overlay.

use std::collections::HashMap;
use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::os::unix::fs::FileExt;
use std::ptr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use rusqlite::ffi;

/// When the power goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CutAt {
    /// Only when [`CrashVfs::cut_now`] is called.
    Never,
    /// At the Nth write (or truncation) of a durable file, counted from 1; it does not happen.
    Write(u64),
    /// At the Nth `xSync` of a durable file, counted from 1; it does not happen.
    Sync(u64),
}

/// What becomes of the writes still in the disk's cache at the cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loss {
    /// All lost: the disk wrote nothing it was not told to sync.
    DropAll,
    /// A random part reaches the disk, in 512-byte pieces, some of them garbage (test6.c).
    Torn,
}

/// How a [`CrashVfs`] behaves: where the cut comes, and what it loses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub cut_at: CutAt,
    pub loss: Loss,
    /// Seeds the choices of [`Loss::Torn`].
    pub seed: u64,
}

/// Writes and syncs of durable files seen so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub writes: u64,
    pub syncs: u64,
}

/// What the cut did to the disk's cache.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CutReport {
    /// The counts when the power went (the triggering write or sync included).
    pub at: Counts,
    /// Writes and truncations in the cache at the cut, over all files.
    pub pending: usize,
    /// Bytes in the cache at the cut.
    pub pending_bytes: usize,
    /// [`Loss::Torn`]: 512-byte pieces written as they were, lost, or written as garbage.
    pub pieces_written: usize,
    pub pieces_lost: usize,
    pub pieces_garbage: usize,
    /// Pending truncations done (the rest were lost).
    pub truncations_done: usize,
    /// Files that had something in the cache (their paths).
    pub files: Vec<String>,
    /// Failures of the model itself while it applied a torn cache to the real files.
    pub errors: Vec<String>,
}

/// The piece a torn write is cut into.
pub const TEAR: i64 = 512;

enum Op {
    Write { at: i64, data: Vec<u8> },
    Truncate(i64),
}

/// One file's writes not yet synced, and its size as the OS would report it.
struct Cached {
    ops: Vec<Op>,
    size: i64,
}

impl Cached {
    /// Lays the cached writes over `buf`, read from the real file at `offset` (zero-filled past
    /// its end); returns SQLITE_OK or SQLITE_IOERR_SHORT_READ as the file would.
    fn overlay(&self, buf: &mut [u8], offset: i64) -> c_int {
        let end = offset + buf.len() as i64;
        for op in &self.ops {
            match op {
                Op::Write { at, data } => {
                    let (from, to) = (offset.max(*at), end.min(at + data.len() as i64));
                    if from < to {
                        buf[(from - offset) as usize..(to - offset) as usize]
                            .copy_from_slice(&data[(from - at) as usize..(to - at) as usize]);
                    }
                }
                Op::Truncate(size) => {
                    if *size < end {
                        buf[(offset.max(*size) - offset) as usize..].fill(0);
                    }
                }
            }
        }
        if self.size < end {
            buf[(offset.max(self.size) - offset) as usize..].fill(0);
            ffi::SQLITE_IOERR_SHORT_READ
        } else {
            ffi::SQLITE_OK
        }
    }
}

/// xorshift64*: the same seed, the same torn disk (and, in the power-loss test, the same workload).
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed` (any value, 0 included; the salt keeps the disk's and the
    /// workload's sequences apart for the same seed).
    pub fn new(seed: u64, salt: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ salt | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

struct Disk {
    plan: Plan,
    counts: Counts,
    cut: Option<CutReport>,
    /// The cache, by file path.
    cached: HashMap<String, Cached>,
    open_files: usize,
    rng: Rng,
}

impl Disk {
    /// The power goes: nothing reaches the disk any more, and the cache is lost (or partly
    /// written, torn).
    fn power_cut(&mut self) {
        if self.cut.is_some() {
            return;
        }
        let mut report = CutReport { at: self.counts, ..CutReport::default() };
        let mut files: Vec<(String, Cached)> = self.cached.drain().collect();
        files.sort_by(|a, b| a.0.cmp(&b.0));
        for (path, cached) in files {
            report.pending += cached.ops.len();
            report.pending_bytes += cached.ops.iter().map(|op| if let Op::Write { data, .. } = op { data.len() } else { 0 }).sum::<usize>();
            if self.plan.loss == Loss::Torn {
                if let Err(e) = self.tear(&path, &cached, &mut report) {
                    report.errors.push(format!("{path}: {e}"));
                }
            }
            report.files.push(path);
        }
        self.cut = Some(report);
    }

    fn tear(&mut self, path: &str, cached: &Cached, report: &mut CutReport) -> std::io::Result<()> {
        let file = std::fs::OpenOptions::new().write(true).open(path)?;
        for op in &cached.ops {
            match op {
                Op::Write { at, data } => {
                    let end = at + data.len() as i64;
                    let mut from = *at;
                    while from < end {
                        let to = ((from / TEAR + 1) * TEAR).min(end);
                        let piece = &data[(from - at) as usize..(to - at) as usize];
                        match self.rng.below(10) {
                            0..=4 => {
                                file.write_all_at(piece, from as u64)?;
                                report.pieces_written += 1;
                            }
                            5..=8 => report.pieces_lost += 1,
                            _ => {
                                let garbage: Vec<u8> = (0..piece.len()).map(|_| self.rng.next_u64() as u8).collect();
                                file.write_all_at(&garbage, from as u64)?;
                                report.pieces_garbage += 1;
                            }
                        }
                        from = to;
                    }
                }
                Op::Truncate(size) => {
                    if self.rng.below(2) == 0 {
                        file.set_len(*size as u64)?;
                        report.truncations_done += 1;
                    }
                }
            }
        }
        Ok(())
    }
}

/// What the VFS's `pAppData` points to.
struct Shared {
    unix: *mut ffi::sqlite3_vfs,
    disk: Mutex<Disk>,
}

impl Shared {
    fn disk(&self) -> MutexGuard<'_, Disk> {
        // A panic never unwinds out of a callback (it would abort); a poisoned lock is still usable.
        self.disk.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The file object SQLite allocates (`szOsFile` bytes): ours, then the "unix" one.
#[repr(C)]
struct CrashFile {
    base: ffi::sqlite3_file,
    shared: *const Shared,
    /// The file's path when it holds durable state (its writes are cached); null otherwise.
    path: *mut String,
    real: *mut ffi::sqlite3_file,
}

const HEADER: usize = std::mem::size_of::<CrashFile>().div_ceil(16) * 16;

const DURABLE: c_int = ffi::SQLITE_OPEN_MAIN_DB | ffi::SQLITE_OPEN_MAIN_JOURNAL | ffi::SQLITE_OPEN_WAL | ffi::SQLITE_OPEN_SUPER_JOURNAL;

static NEXT_NAME: AtomicU64 = AtomicU64::new(0);

/// A registered crash VFS; open connections on it by [`CrashVfs::name`]. Close every connection
/// opened on it before dropping it (dropping it unregisters it; with a file still open it is
/// leaked rather than freed).
pub struct CrashVfs {
    name: CString,
    vfs: *mut ffi::sqlite3_vfs,
    shared: *mut Shared,
}

impl CrashVfs {
    /// Registers a new VFS (under a name of its own, never the default) over "unix".
    pub fn register(plan: Plan) -> Result<CrashVfs, String> {
        let name = CString::new(format!("crash{}", NEXT_NAME.fetch_add(1, Ordering::Relaxed)))
            .map_err(|e| e.to_string())?;
        // SAFETY: sqlite3_initialize and sqlite3_vfs_find are safe to call at any time; the
        // VFS struct and its app data are boxed (stable addresses) and live until Drop
        // unregisters them.
        unsafe {
            let rc = ffi::sqlite3_initialize();
            if rc != ffi::SQLITE_OK {
                return Err(format!("sqlite3_initialize: {rc}"));
            }
            let unix = ffi::sqlite3_vfs_find(c"unix".as_ptr());
            if unix.is_null() {
                return Err("no \"unix\" VFS in this SQLite".into());
            }
            let disk = Disk {
                plan,
                counts: Counts::default(),
                cut: None,
                cached: HashMap::new(),
                open_files: 0,
                rng: Rng::new(plan.seed, 0),
            };
            let shared = Box::into_raw(Box::new(Shared { unix, disk: Mutex::new(disk) }));
            let mut vfs: ffi::sqlite3_vfs = *unix;
            vfs.pNext = ptr::null_mut();
            vfs.zName = name.as_ptr();
            vfs.pAppData = shared.cast();
            vfs.szOsFile = HEADER as c_int + (*unix).szOsFile;
            vfs.xOpen = Some(x_open);
            vfs.xDelete = Some(x_delete);
            vfs.xAccess = Some(x_access);
            vfs.xFullPathname = Some(x_full_pathname);
            let vfs = Box::into_raw(Box::new(vfs));
            let rc = ffi::sqlite3_vfs_register(vfs, 0);
            if rc != ffi::SQLITE_OK {
                drop(Box::from_raw(vfs));
                drop(Box::from_raw(shared));
                return Err(format!("sqlite3_vfs_register: {rc}"));
            }
            Ok(CrashVfs { name, vfs, shared })
        }
    }

    /// The name to open connections with (`Connection::open_with_flags_and_vfs`).
    pub fn name(&self) -> &str {
        self.name.to_str().unwrap_or_default()
    }

    fn shared(&self) -> &Shared {
        // SAFETY: `shared` is a live Box until Drop.
        unsafe { &*self.shared }
    }

    /// Writes and syncs of durable files so far.
    pub fn counts(&self) -> Counts {
        self.shared().disk().counts
    }

    /// What the cut did, once it happened.
    pub fn cut(&self) -> Option<CutReport> {
        self.shared().disk().cut.clone()
    }

    pub fn has_cut(&self) -> bool {
        self.shared().disk().cut.is_some()
    }

    /// Cuts the power now (if it was not cut already).
    pub fn cut_now(&self) {
        self.shared().disk().power_cut();
    }

    /// Writes and truncations in the disk's cache, over all files.
    pub fn pending(&self) -> usize {
        self.shared().disk().cached.values().map(|c| c.ops.len()).sum()
    }

    /// Files open through this VFS.
    pub fn open_files(&self) -> usize {
        self.shared().disk().open_files
    }
}

impl Drop for CrashVfs {
    fn drop(&mut self) {
        let open = self.open_files();
        // SAFETY: unregistering is always allowed; the boxes are freed only when no file opened
        // through them is left (a connection still open keeps using them: leak them then).
        unsafe {
            ffi::sqlite3_vfs_unregister(self.vfs);
            if open == 0 {
                drop(Box::from_raw(self.vfs));
                drop(Box::from_raw(self.shared));
            } else {
                eprintln!("crash VFS {} dropped with {open} file(s) open: leaked", self.name());
            }
        }
    }
}

unsafe fn shared_of<'a>(vfs: *mut ffi::sqlite3_vfs) -> &'a Shared {
    &*((*vfs).pAppData as *const Shared)
}

/// The parts of an open file: the VFS's state, its path when durable, and the "unix" file.
unsafe fn parts<'a>(file: *mut ffi::sqlite3_file) -> (&'a Shared, Option<&'a str>, *mut ffi::sqlite3_file) {
    let me = file.cast::<CrashFile>();
    let path = (*me).path;
    (&*(*me).shared, if path.is_null() { None } else { Some((*path).as_str()) }, (*me).real)
}

/// Calls method `$m` of the "unix" file `$real`.
macro_rules! real {
    ($real:expr, $m:ident $(, $arg:expr)*) => {{
        let real = $real;
        match (*(*real).pMethods).$m {
            Some(f) => f(real $(, $arg)*),
            None => ffi::SQLITE_IOERR,
        }
    }};
}

unsafe extern "C" fn x_open(
    vfs: *mut ffi::sqlite3_vfs,
    name: ffi::sqlite3_filename,
    file: *mut ffi::sqlite3_file,
    flags: c_int,
    out_flags: *mut c_int,
) -> c_int {
    let shared = shared_of(vfs);
    let me = file.cast::<CrashFile>();
    let real = file.cast::<u8>().add(HEADER).cast::<ffi::sqlite3_file>();
    ptr::write(me, CrashFile { base: ffi::sqlite3_file { pMethods: ptr::null() }, shared, path: ptr::null_mut(), real });
    (*real).pMethods = ptr::null();
    if shared.disk().cut.is_some() {
        return ffi::SQLITE_CANTOPEN;
    }
    let unix = shared.unix;
    let rc = match (*unix).xOpen {
        Some(open) => open(unix, name, real, flags, out_flags),
        None => ffi::SQLITE_CANTOPEN,
    };
    if rc != ffi::SQLITE_OK {
        if !(*real).pMethods.is_null() {
            real!(real, xClose);
        }
        return rc;
    }
    if flags & DURABLE != 0 && !name.is_null() {
        (*me).path = Box::into_raw(Box::new(CStr::from_ptr(name).to_string_lossy().into_owned()));
    }
    shared.disk().open_files += 1;
    (*me).base.pMethods = &METHODS;
    ffi::SQLITE_OK
}

unsafe extern "C" fn x_delete(vfs: *mut ffi::sqlite3_vfs, name: *const c_char, sync_dir: c_int) -> c_int {
    let shared = shared_of(vfs);
    {
        let mut disk = shared.disk();
        if disk.cut.is_some() {
            return ffi::SQLITE_IOERR_DELETE;
        }
        if !name.is_null() {
            disk.cached.remove(CStr::from_ptr(name).to_string_lossy().as_ref());
        }
    }
    let unix = shared.unix;
    match (*unix).xDelete {
        Some(f) => f(unix, name, sync_dir),
        None => ffi::SQLITE_IOERR_DELETE,
    }
}

unsafe extern "C" fn x_access(vfs: *mut ffi::sqlite3_vfs, name: *const c_char, flags: c_int, out: *mut c_int) -> c_int {
    let unix = shared_of(vfs).unix;
    match (*unix).xAccess {
        Some(f) => f(unix, name, flags, out),
        None => ffi::SQLITE_IOERR_ACCESS,
    }
}

unsafe extern "C" fn x_full_pathname(vfs: *mut ffi::sqlite3_vfs, name: *const c_char, n: c_int, out: *mut c_char) -> c_int {
    let unix = shared_of(vfs).unix;
    match (*unix).xFullPathname {
        Some(f) => f(unix, name, n, out),
        None => ffi::SQLITE_CANTOPEN,
    }
}

static METHODS: ffi::sqlite3_io_methods = ffi::sqlite3_io_methods {
    // Version 2: shared memory (WAL), no xFetch/xUnfetch, so SQLite never maps the file and
    // every read comes through x_read.
    iVersion: 2,
    xClose: Some(x_close),
    xRead: Some(x_read),
    xWrite: Some(x_write),
    xTruncate: Some(x_truncate),
    xSync: Some(x_sync),
    xFileSize: Some(x_file_size),
    xLock: Some(x_lock),
    xUnlock: Some(x_unlock),
    xCheckReservedLock: Some(x_check_reserved_lock),
    xFileControl: Some(x_file_control),
    xSectorSize: Some(x_sector_size),
    xDeviceCharacteristics: Some(x_device_characteristics),
    xShmMap: Some(x_shm_map),
    xShmLock: Some(x_shm_lock),
    xShmBarrier: Some(x_shm_barrier),
    xShmUnmap: Some(x_shm_unmap),
    xFetch: None,
    xUnfetch: None,
};

unsafe extern "C" fn x_close(file: *mut ffi::sqlite3_file) -> c_int {
    let me = file.cast::<CrashFile>();
    let (shared, _, real) = parts(file);
    let rc = real!(real, xClose);
    if !(*me).path.is_null() {
        drop(Box::from_raw((*me).path));
        (*me).path = ptr::null_mut();
    }
    let mut disk = shared.disk();
    disk.open_files = disk.open_files.saturating_sub(1);
    rc
}

unsafe extern "C" fn x_read(file: *mut ffi::sqlite3_file, buf: *mut c_void, amount: c_int, offset: ffi::sqlite3_int64) -> c_int {
    let (shared, path, real) = parts(file);
    let Some(path) = path else {
        return real!(real, xRead, buf, amount, offset);
    };
    let disk = shared.disk();
    if disk.cut.is_some() {
        return ffi::SQLITE_IOERR_READ;
    }
    let rc = real!(real, xRead, buf, amount, offset);
    if rc != ffi::SQLITE_OK && rc != ffi::SQLITE_IOERR_SHORT_READ {
        return rc;
    }
    match disk.cached.get(path) {
        Some(cached) => cached.overlay(std::slice::from_raw_parts_mut(buf.cast::<u8>(), amount.max(0) as usize), offset),
        None => rc,
    }
}

/// The size of a durable file as its cache makes it.
unsafe fn cached_entry<'a>(disk: &'a mut Disk, path: &str, real: *mut ffi::sqlite3_file) -> Result<&'a mut Cached, c_int> {
    if !disk.cached.contains_key(path) {
        let mut size: ffi::sqlite3_int64 = 0;
        let rc = real!(real, xFileSize, &mut size);
        if rc != ffi::SQLITE_OK {
            return Err(rc);
        }
        disk.cached.insert(path.to_string(), Cached { ops: Vec::new(), size });
    }
    disk.cached.get_mut(path).ok_or(ffi::SQLITE_IOERR)
}

/// Counts a write of a durable file; true when it is the one that cuts the power.
fn count_write(disk: &mut Disk) -> bool {
    disk.counts.writes += 1;
    if disk.plan.cut_at == CutAt::Write(disk.counts.writes) {
        disk.power_cut();
        return true;
    }
    false
}

unsafe extern "C" fn x_write(file: *mut ffi::sqlite3_file, buf: *const c_void, amount: c_int, offset: ffi::sqlite3_int64) -> c_int {
    let (shared, path, real) = parts(file);
    let Some(path) = path else {
        return real!(real, xWrite, buf, amount, offset);
    };
    let mut disk = shared.disk();
    if disk.cut.is_some() || count_write(&mut disk) {
        return ffi::SQLITE_IOERR_WRITE;
    }
    let data = std::slice::from_raw_parts(buf.cast::<u8>(), amount.max(0) as usize).to_vec();
    match cached_entry(&mut disk, path, real) {
        Ok(cached) => {
            cached.size = cached.size.max(offset + data.len() as i64);
            cached.ops.push(Op::Write { at: offset, data });
            ffi::SQLITE_OK
        }
        Err(rc) => rc,
    }
}

unsafe extern "C" fn x_truncate(file: *mut ffi::sqlite3_file, size: ffi::sqlite3_int64) -> c_int {
    let (shared, path, real) = parts(file);
    let Some(path) = path else {
        return real!(real, xTruncate, size);
    };
    let mut disk = shared.disk();
    if disk.cut.is_some() || count_write(&mut disk) {
        return ffi::SQLITE_IOERR_TRUNCATE;
    }
    match cached_entry(&mut disk, path, real) {
        Ok(cached) => {
            cached.size = size;
            cached.ops.push(Op::Truncate(size));
            ffi::SQLITE_OK
        }
        Err(rc) => rc,
    }
}

unsafe extern "C" fn x_sync(file: *mut ffi::sqlite3_file, flags: c_int) -> c_int {
    let (shared, path, real) = parts(file);
    let Some(path) = path else {
        return real!(real, xSync, flags);
    };
    let mut disk = shared.disk();
    if disk.cut.is_some() {
        return ffi::SQLITE_IOERR_FSYNC;
    }
    disk.counts.syncs += 1;
    if disk.plan.cut_at == CutAt::Sync(disk.counts.syncs) {
        disk.power_cut();
        return ffi::SQLITE_IOERR_FSYNC;
    }
    // The cache reaches the platter. The real file is the platter: no fsync of it is needed
    // for the model (and none would survive a real power cut of this machine anyway).
    if let Some(cached) = disk.cached.remove(path) {
        for op in &cached.ops {
            let rc = match op {
                Op::Write { at, data } => real!(real, xWrite, data.as_ptr().cast(), data.len() as c_int, *at),
                Op::Truncate(size) => real!(real, xTruncate, *size),
            };
            if rc != ffi::SQLITE_OK {
                return rc;
            }
        }
    }
    ffi::SQLITE_OK
}

unsafe extern "C" fn x_file_size(file: *mut ffi::sqlite3_file, size: *mut ffi::sqlite3_int64) -> c_int {
    let (shared, path, real) = parts(file);
    let Some(path) = path else {
        return real!(real, xFileSize, size);
    };
    let disk = shared.disk();
    if disk.cut.is_some() {
        return ffi::SQLITE_IOERR_FSTAT;
    }
    match disk.cached.get(path) {
        Some(cached) => {
            *size = cached.size;
            ffi::SQLITE_OK
        }
        None => real!(real, xFileSize, size),
    }
}

unsafe extern "C" fn x_lock(file: *mut ffi::sqlite3_file, level: c_int) -> c_int {
    real!(parts(file).2, xLock, level)
}

unsafe extern "C" fn x_unlock(file: *mut ffi::sqlite3_file, level: c_int) -> c_int {
    real!(parts(file).2, xUnlock, level)
}

unsafe extern "C" fn x_check_reserved_lock(file: *mut ffi::sqlite3_file, out: *mut c_int) -> c_int {
    real!(parts(file).2, xCheckReservedLock, out)
}

unsafe extern "C" fn x_file_control(file: *mut ffi::sqlite3_file, op: c_int, arg: *mut c_void) -> c_int {
    let (_, path, real) = parts(file);
    if path.is_some() && (op == ffi::SQLITE_FCNTL_SIZE_HINT || op == ffi::SQLITE_FCNTL_CHUNK_SIZE) {
        // Both would let "unix" grow the real file behind the cache; they are only hints.
        return ffi::SQLITE_OK;
    }
    real!(real, xFileControl, op, arg)
}

unsafe extern "C" fn x_sector_size(file: *mut ffi::sqlite3_file) -> c_int {
    let real = parts(file).2;
    match (*(*real).pMethods).xSectorSize {
        Some(f) => f(real),
        None => 4096,
    }
}

unsafe extern "C" fn x_device_characteristics(file: *mut ffi::sqlite3_file) -> c_int {
    let real = parts(file).2;
    match (*(*real).pMethods).xDeviceCharacteristics {
        Some(f) => f(real),
        None => 0,
    }
}

unsafe extern "C" fn x_shm_map(file: *mut ffi::sqlite3_file, region: c_int, size: c_int, extend: c_int, out: *mut *mut c_void) -> c_int {
    real!(parts(file).2, xShmMap, region, size, extend, out)
}

unsafe extern "C" fn x_shm_lock(file: *mut ffi::sqlite3_file, offset: c_int, n: c_int, flags: c_int) -> c_int {
    real!(parts(file).2, xShmLock, offset, n, flags)
}

unsafe extern "C" fn x_shm_barrier(file: *mut ffi::sqlite3_file) {
    let real = parts(file).2;
    if let Some(f) = (*(*real).pMethods).xShmBarrier {
        f(real);
    }
}

unsafe extern "C" fn x_shm_unmap(file: *mut ffi::sqlite3_file, delete: c_int) -> c_int {
    real!(parts(file).2, xShmUnmap, delete)
}

#[cfg(test)]
mod tests;
