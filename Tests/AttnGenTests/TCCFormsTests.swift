// The tcc forms shipped as generated Swift (TCCForms+Generated.swift) against the same forms made
// from the templates now: a template edited or added without regenerating fails here, with the
// lines that differ and the one command that fixes it.

@testable import AttnCEmit
import AttnTemplates
import Testing

@Suite struct TCCFormsTests {
    static let fix = "run `swift run attn-gen regenerate` (it rewrites \(TCCForms.generatedPath) from Templates/c/*.tcc.c.tmpl)"

    /// Every helper with a tcc form ships it, equal to what its template gives.
    @Test(arguments: TCCForms.helpers) func shippedFormMatchesTemplate(_ h: Helper) {
        guard let shipped = TCCForms.shipped(h.rawValue) else {
            Issue.record("\(h.rawValue).tcc.c.tmpl is not in \(TCCForms.generatedPath): \(Self.fix)")
            return
        }
        let made = TCCForms.expand(h)
        if shipped != made {
            Issue.record("""
                \(TCCForms.generatedPath) is out of date with \(h.rawValue).tcc.c.tmpl: \(Self.fix)
                \(Self.diff(shipped.text, made.text))signature \(shipped.signature) vs \(made.signature)
                prototype shipped: \(shipped.prototype)
                prototype template: \(made.prototype)
                """)
        }
    }

    /// The external form drops `static` on the helper's own definition line only.
    @Test(arguments: TCCForms.helpers) func externalFormDropsOnlyItsOwnStatic(_ h: Helper) {
        let form = TCCForms.form(h)
        let byLines = form.text.lines.map { TCCForms.isSignature($0, h) ? $0.dropFirst("static ".count) : $0 }.joined(separator: "\n")
        #expect(form.external == byLines)
        #expect(form.prototype.hasSuffix(");"))
        #expect(form.prototype.contains(" attn_\(h.rawValue)("))
    }

    /// The first lines where `a` (shipped) and `b` (template) differ.
    static func diff(_ a: String, _ b: String) -> String {
        let x = a.lines, y = b.lines
        var out = ""
        var shown = 0
        for i in 0..<max(x.count, y.count) where shown < 8 {
            let l = i < x.count ? x[i] : nil, r = i < y.count ? y[i] : nil
            if l != r {
                out += "line \(i + 1):\n- \(l.map(String.init) ?? "(none)")\n+ \(r.map(String.init) ?? "(none)")\n"
                shown += 1
            }
        }
        return out
    }
}
