/// A dictionary that keeps at most `capacity` entries, dropping the least recently used ones.
///
/// Eviction works like the command handler's worker cache: a use counter per entry, and when full the
/// oldest tenth goes in one sort, so the cost per insert stays logarithmic on average.
/// Not thread-safe by itself; owners keep it in a `Mutex`.
struct LRUCache<Key: Hashable, Value> {
    private var entries: [Key: (value: Value, lastUse: UInt64)] = [:]
    private var tick: UInt64 = 0
    /// Most entries kept.
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// How many entries are held.
    var count: Int { entries.count }

    /// The value for `key`, marking it as recently used.
    mutating func get(_ key: Key) -> Value? {
        guard let entry = entries[key] else { return nil }
        tick += 1
        entries[key] = (entry.value, tick)
        return entry.value
    }

    /// Stores `value` for `key`, evicting the least recently used entries when full.
    mutating func set(_ key: Key, _ value: Value) {
        tick += 1
        if entries[key] == nil, entries.count >= capacity {
            let excess = entries.count - capacity + max(capacity / 10, 1)
            for (old, _) in entries.sorted(by: { $0.value.lastUse < $1.value.lastUse }).prefix(excess) {
                entries[old] = nil
            }
        }
        entries[key] = (value, tick)
    }

    /// Forgets `key`.
    mutating func remove(_ key: Key) {
        entries[key] = nil
    }
}
