import Crypto

/// A Lua script the backend runs on the server: sent once with `EVAL` when the server lacks it,
/// then by its SHA-1 (`EVALSHA`).
struct RedisScript: Sendable {
    let source: String
    let sha: String

    init(_ source: String) {
        self.source = source
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        for byte in Insecure.SHA1.hash(data: Array(source.utf8)) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 15)])
        }
        sha = String(decoding: hex, as: UTF8.self)
    }
}

extension RedisScript {
    /// `increment`: INCRBY, and the expiry only when the key was new.
    /// ARGV: delta, mode (px, pxat, none), milliseconds.
    static let increment = RedisScript(
        """
        local new = redis.call('EXISTS', KEYS[1]) == 0
        local value = redis.call('INCRBY', KEYS[1], ARGV[1])
        if new then
          if ARGV[2] == 'px' then redis.call('PEXPIRE', KEYS[1], ARGV[3])
          elseif ARGV[2] == 'pxat' then redis.call('PEXPIREAT', KEYS[1], ARGV[3]) end
        end
        return value
        """)

    /// `set` of many keys with one expiry, all or nothing. ARGV: mode (px, pxat, keep, never),
    /// milliseconds, then a value per key.
    static let setMany = RedisScript(
        """
        for i = 1, #KEYS do
          if ARGV[1] == 'px' then redis.call('SET', KEYS[i], ARGV[i + 2], 'PX', ARGV[2])
          elseif ARGV[1] == 'pxat' then redis.call('SET', KEYS[i], ARGV[i + 2], 'PXAT', ARGV[2])
          elseif ARGV[1] == 'keep' then redis.call('SET', KEYS[i], ARGV[i + 2], 'KEEPTTL')
          else redis.call('SET', KEYS[i], ARGV[i + 2]) end
        end
        return #KEYS
        """)

    /// `unlock`: deletes the key only when it holds the token (a string value equal to it).
    static let compareAndDelete = RedisScript(
        """
        if redis.call('TYPE', KEYS[1]).ok == 'string' and redis.call('GET', KEYS[1]) == ARGV[1] then
          return redis.call('DEL', KEYS[1])
        end
        return 0
        """)

    /// `sliceIncrement`: a sorted set of hit times. ARGV: start, end, limit, expiry (ms), a
    /// unique member for this hit.
    static let slidingWindow = RedisScript(
        """
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
        local count = redis.call('ZCOUNT', KEYS[1], ARGV[1], ARGV[2])
        if count < tonumber(ARGV[3]) then
          redis.call('ZADD', KEYS[1], ARGV[2], ARGV[5])
          count = count + 1
        end
        redis.call('PEXPIRE', KEYS[1], ARGV[4])
        return count
        """)

    /// `addToSet` with an expiry: SADD (in chunks, within Lua's stack), then the expiry.
    /// ARGV: mode (px, pxat, never), milliseconds, then the members.
    static let addToSet = RedisScript(
        """
        local added = 0
        for i = 3, #ARGV, 1000 do
          added = added + redis.call('SADD', KEYS[1], unpack(ARGV, i, math.min(i + 999, #ARGV)))
        end
        if ARGV[1] == 'px' then redis.call('PEXPIRE', KEYS[1], ARGV[2])
        elseif ARGV[1] == 'pxat' then redis.call('PEXPIREAT', KEYS[1], ARGV[2])
        elseif ARGV[1] == 'never' then redis.call('PERSIST', KEYS[1]) end
        return added
        """)

    /// `size(of:)`: the length of a string, the cardinality of another type, -1 when absent.
    static let size = RedisScript(
        """
        local t = redis.call('TYPE', KEYS[1]).ok
        if t == 'none' then return -1
        elseif t == 'string' then return redis.call('STRLEN', KEYS[1])
        elseif t == 'set' then return redis.call('SCARD', KEYS[1])
        elseif t == 'zset' then return redis.call('ZCARD', KEYS[1])
        elseif t == 'list' then return redis.call('LLEN', KEYS[1])
        elseif t == 'hash' then return redis.call('HLEN', KEYS[1])
        end
        return 0
        """)

    /// `modify`, read half: the value and its absolute expiry (-1: none), together.
    static let read = RedisScript(
        """
        return {redis.call('GET', KEYS[1]), redis.call('PEXPIRETIME', KEYS[1])}
        """)

    /// `modify`, write half: writes only when the value and expiry are still what was read.
    /// ARGV: present (1/0), value read, expiry read, mode (del, px, pxat, keep, never),
    /// milliseconds, new value.
    static let compareAndSet = RedisScript(
        """
        local current = redis.call('GET', KEYS[1])
        if ARGV[1] == '1' then
          if current ~= ARGV[2] or redis.call('PEXPIRETIME', KEYS[1]) ~= tonumber(ARGV[3]) then return 0 end
        elseif current then return 0 end
        if ARGV[4] == 'del' then redis.call('DEL', KEYS[1])
        elseif ARGV[4] == 'px' then redis.call('SET', KEYS[1], ARGV[6], 'PX', ARGV[5])
        elseif ARGV[4] == 'pxat' then redis.call('SET', KEYS[1], ARGV[6], 'PXAT', ARGV[5])
        elseif ARGV[4] == 'keep' then redis.call('SET', KEYS[1], ARGV[6], 'KEEPTTL')
        else redis.call('SET', KEYS[1], ARGV[6]) end
        return 1
        """)
}
