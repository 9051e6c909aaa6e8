#if canImport(Glibc)
import Glibc
#endif

/// glibc's malloc gives threads that contend for it arenas of their own, up to eight per
/// core, and the summaries a controller keeps for each pod, allocated on whichever thread
/// decoded the pod's watch event, then hold pages of many arenas partly full. With one arena
/// the controller kept 100,000 tracked pods in 28% less memory; threads that allocate at
/// once then share a lock, which cost `map-1m-workers` a tenth more CPU (docs/performance.md).
/// On a large host, where glibc would allow hundreds of arenas, memory is the scarcer.
enum MallocArenas {
    /// `M_ARENA_MAX` in glibc's `<malloc.h>`, which Swift's Glibc module does not import.
    private static let arenaMaxParameter: Int32 = -8

    /// Limits the arenas, unless `MALLOC_ARENA_MAX` in the environment already chose. Only
    /// threads that have not allocated yet are held to it, so it is called before the
    /// controller starts any. Returns whether the limit was set.
    @discardableResult
    static func limit(to count: Int32, environment: [String: String]) -> Bool {
        #if canImport(Glibc)
        guard environment["MALLOC_ARENA_MAX"] == nil, let symbol = dlsym(nil, "mallopt") else { return false }
        let mallopt = unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
        return mallopt(arenaMaxParameter, count) == 1
        #else
        return false
        #endif
    }
}
