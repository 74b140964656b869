//! glibc's malloc told to give freed memory back to the system sooner: the idle app held 8-11 MB
//! it had freed (bench/app-start.sh, BENCHMARKS.md, issue 7). The one module of the shell with
//! unsafe code: glibc offers these only as C functions. Elsewhere (macOS, Windows, musl) nothing
//! is done.
#![allow(unsafe_code)]

/// glibc keeps up to 32 MiB freed at the top of its heap for later, raising that limit as the
/// program frees larger blocks, and the start (the first queue, the first sweep, the daily
/// backup) frees several MiB it never asks for again. A fixed 128 KiB limit hands it back: the
/// idle app 104-108 MB PSS -> 99-100 MB. Called first thing in `run()`; an outside
/// `MALLOC_TRIM_THRESHOLD_` wins.
pub fn return_freed_memory_sooner() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_TRIM_THRESHOLD_").is_none() {
        // SAFETY: mallopt only changes malloc's tuning, and any value is valid for
        // M_TRIM_THRESHOLD; it is called before the app starts any thread of its own.
        unsafe {
            libc::mallopt(libc::M_TRIM_THRESHOLD, 128 * 1024);
        }
    }
}

/// Hands back what malloc holds free inside its heaps too, the worker threads' included (the
/// threshold above only trims the top of the main heap): ~3 MB more once the start's work is
/// done. Cheap (it walks malloc's free lists); called after the start and then hourly.
pub fn return_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases memory malloc holds free; it takes malloc's own locks,
    // so any thread may call it at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}
