// Typed access to the fields of one JSON object, with the path of each field for errors, and a
// check that nothing unknown was given.

/// Reads one JSON object field by field; `finish()` rejects fields nobody asked for.
package struct FieldReader {
    let fields: [String: JSONValue]
    private(set) var allowed: [String] = []

    init(_ value: JSONValue, at path: String) throws(SpecError) {
        guard case .object(let fields) = value else {
            throw SpecError(path, "must be an object, got \(value.typeName)")
        }
        self.fields = fields
    }

    private mutating func value(_ key: String) -> JSONValue? {
        allowed.append(key)
        if case .null? = fields[key] { return nil }
        return fields[key]
    }

    package mutating func int(_ key: String) throws(SpecError) -> Int? {
        guard let v = value(key) else { return nil }
        switch v {
        case .int(let i): return i
        case .double(let d): throw SpecError(key, "must be an integer, got \(d)")
        default: throw SpecError(key, "must be an integer, got \(v.typeName)")
        }
    }

    package mutating func double(_ key: String) throws(SpecError) -> Double? {
        guard let v = value(key) else { return nil }
        switch v {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: throw SpecError(key, "must be a number, got \(v.typeName)")
        }
    }

    package mutating func bool(_ key: String) throws(SpecError) -> Bool? {
        guard let v = value(key) else { return nil }
        guard case .bool(let b) = v else { throw SpecError(key, "must be true or false, got \(v.typeName)") }
        return b
    }

    package mutating func string(_ key: String) throws(SpecError) -> String? {
        guard let v = value(key) else { return nil }
        guard case .string(let s) = v else { throw SpecError(key, "must be a string, got \(v.typeName)") }
        return s
    }

    package mutating func strings(_ key: String) throws(SpecError) -> [String]? {
        guard let v = value(key) else { return nil }
        guard case .array(let items) = v else { throw SpecError(key, "must be an array of strings, got \(v.typeName)") }
        var out: [String] = []
        for (i, item) in items.enumerated() {
            guard case .string(let s) = item else {
                throw SpecError("\(key)[\(i)]", "must be a string, got \(item.typeName)")
            }
            out.append(s)
        }
        return out
    }

    package mutating func ints(_ key: String) throws(SpecError) -> [Int]? {
        guard let v = value(key) else { return nil }
        guard case .array(let items) = v else { throw SpecError(key, "must be an array of integers, got \(v.typeName)") }
        var out: [Int] = []
        for (i, item) in items.enumerated() {
            guard case .int(let n) = item else { throw SpecError("\(key)[\(i)]", "must be an integer, got \(item.typeName)") }
            out.append(n)
        }
        return out
    }

    package mutating func raw(_ key: String) -> JSONValue? { value(key) }

    package mutating func require<T>(_ key: String, _ read: (inout FieldReader, String) throws(SpecError) -> T?) throws(SpecError) -> T {
        guard let v = try read(&self, key) else { throw SpecError(key, "is required") }
        return v
    }

    /// Fails on the first field (in sorted order) that was not read.
    package func finish(context: String) throws(SpecError) {
        for key in fields.keys.sorted() where !allowed.contains(key) {
            let known = allowed.sorted().joined(separator: ", ")
            throw SpecError(key, "unknown field for \(context) (known: \(known))")
        }
    }
}
