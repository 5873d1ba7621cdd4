import Foundation
import Testing

@testable import StockSentry

@Suite struct BacktestHTMLTests {
    static let start: Int64 = 1_795_422_600_000  // 2026-11-23 08:30:00 UTC

    static func minute(_ minutes: Double) -> Int64 {
        start + Int64(minutes * 60_000)
    }

    static func alert(_ minutes: Double, _ level: String, _ transition: String, available: Int64) -> BacktestReport.Mark {
        BacktestReport.Mark(time: minute(minutes), kind: "alert", label: level, transition: transition,
                            available: available, reason: "eta < 15 min; share < 10% <low>")
    }

    static func command(_ minutes: Double, _ action: String, available: Int64) -> BacktestReport.Mark {
        BacktestReport.Mark(time: minute(minutes), kind: "command", label: action, transition: nil, available: available,
                            reason: "available ≤ buffer")
    }

    static func outcome(_ sku: String, marks: [BacktestReport.Mark], soldOutAt: Int64?, falseAlarm: Bool? = nil,
                        missed: Bool = false) -> BacktestReport.SKUOutcome {
        var firstLevelAt: [String: Int64] = [:]
        for mark in marks where mark.kind == "alert" && (mark.transition == "raised" || mark.transition == "escalated") {
            for level in ["notice", "warning", "critical"].prefix(through: ["notice", "warning", "critical"].firstIndex(of: mark.label)!) {
                firstLevelAt[level] = min(firstLevelAt[level] ?? mark.time, mark.time)
            }
        }
        let leads = soldOutAt.map { soldOut in firstLevelAt.mapValues { Double(soldOut - $0) / 60_000 } } ?? [:]
        let firstFreeze = marks.first { $0.label == "freeze" }?.time
        return BacktestReport.SKUOutcome(
            sku: sku, firstLevelAt: firstLevelAt, leadMinutes: leads, firstFreezeAt: firstFreeze,
            freezeLeadMinutes: firstFreeze.flatMap { freeze in soldOutAt.map { Double($0 - freeze) / 60_000 } },
            alertTransitions: marks.filter { $0.kind == "alert" }.count,
            freezes: marks.filter { $0.label == "freeze" }.count, unfreezes: marks.filter { $0.label == "unfreeze" }.count,
            unprotectedOversoldUnits: 0, unitsOrderedWhileFrozen: 3, falseAlarm: falseAlarm, missedSellOut: missed,
            forecastMAE: 1.25, forecastMAPE: 0.18, marks: marks)
    }

    /// Two policies over three SKUs: SKU-1 sells out at minute 50, `A<&"B` is a false alarm, SKU-3 stays quiet.
    static func report(extraSKUs: Int = 0) -> BacktestReport {
        let soldOut = minute(50)
        let curve = stride(from: 0.0, through: 90, by: 5).map { at in
            let available = max(-4, 100 - Int64(at * at / 24))
            return BacktestReport.CurvePoint(time: minute(at), available: available, stock: at < 70 ? 100 : 130)
        }
        var skus = [
            BacktestReport.SKUHistory(sku: "SKU-1", name: "限量款 保温杯 500ml", tier: "traffic", partition: 0, curve: curve,
                                      soldOutAt: soldOut, peakOversoldUnits: 4, soldUnits: 104, closingAvailable: -4,
                                      closingStock: 130, sellThrough: 1),
            BacktestReport.SKUHistory(sku: "A<&\"B", name: "Mug <large> & \"saucer\"", tier: "profit", partition: 1,
                                      curve: [.init(time: minute(0), available: 40, stock: 40),
                                              .init(time: minute(30), available: 12, stock: 40),
                                              .init(time: minute(90), available: 9, stock: 40)],
                                      soldOutAt: nil, peakOversoldUnits: 0, soldUnits: 31, closingAvailable: 9,
                                      closingStock: 40, sellThrough: 0.775),
            BacktestReport.SKUHistory(sku: "SKU-3", name: nil, tier: nil, partition: 0,
                                      curve: [.init(time: minute(0), available: 500, stock: 500),
                                              .init(time: minute(90), available: 480, stock: 500)],
                                      soldOutAt: nil, peakOversoldUnits: 0, soldUnits: 20, closingAvailable: 480,
                                      closingStock: 500, sellThrough: 0.04),
        ]
        for index in 0..<extraSKUs {
            skus.append(BacktestReport.SKUHistory(
                sku: "EXTRA-\(index)", name: nil, tier: "longtail", partition: 2,
                curve: [.init(time: minute(0), available: 10, stock: 10)], soldOutAt: nil, peakOversoldUnits: 0,
                soldUnits: 0, closingAvailable: 10, closingStock: 10, sellThrough: 0))
        }
        let eagerMarks = [
            alert(20, "notice", "raised", available: 84), alert(28, "warning", "escalated", available: 68),
            alert(40, "critical", "escalated", available: 34), command(42, "freeze", available: 27),
            command(44, "low_stock_banner", available: 20), alert(72, "warning", "deescalated", available: 30),
            command(73, "unfreeze", available: 30), alert(85, "warning", "resolved", available: 28),
        ]
        let lateMarks = [alert(46, "critical", "raised", available: 12), command(47, "freeze", available: 8)]
        let quietMarks = [alert(25, "warning", "raised", available: 15), alert(70, "warning", "resolved", available: 10)]
        let eager = BacktestReport.PolicyResult(
            name: "eager", path: "policies/eager.yaml",
            overall: .init(skus: 3, soldOutSKUs: 1, warnedSKUs: 2, missedSellOuts: 0, medianWarningLeadMinutes: 22,
                           minimumWarningLeadMinutes: 22, medianCriticalLeadMinutes: 10, medianFreezeLeadMinutes: 8,
                           falseAlarms: 0, undecidedAlarms: 1, falseAlarmRate: 0, alertTransitions: 10,
                           transitionsPerSKUHour: 2.22, freezes: 1, oversoldUnits: 4, forecastMAE: 1.25, forecastMAPE: 0.18),
            byTier: ["traffic": .init(skus: 1, soldOutSKUs: 1, warnedSKUs: 1, medianWarningLeadMinutes: 22),
                     "profit": .init(skus: 1, warnedSKUs: 1, undecidedAlarms: 1), "untiered": .init(skus: 1)],
            targets: .init(medianWarningLead: true, noMissedSellOut: true, falseAlarmRate: true, transitionsPerSKUHour: true),
            outcomes: [outcome("A<&\"B", marks: quietMarks, soldOutAt: nil),
                       outcome("SKU-1", marks: eagerMarks, soldOutAt: soldOut),
                       outcome("SKU-3", marks: [], soldOutAt: nil)],
            transitionsFile: "transitions-eager.ndjson")
        let late = BacktestReport.PolicyResult(
            name: "default", path: nil,
            overall: .init(skus: 3, soldOutSKUs: 1, warnedSKUs: 2, missedSellOuts: 1, medianWarningLeadMinutes: 4,
                           minimumWarningLeadMinutes: 4, medianCriticalLeadMinutes: 4, falseAlarms: 1, falseAlarmRate: 1,
                           alertTransitions: 3, transitionsPerSKUHour: 0.67, freezes: 1, oversoldUnits: 4,
                           unprotectedOversoldUnits: 4),
            byTier: ["traffic": .init(skus: 1, soldOutSKUs: 1, warnedSKUs: 1, missedSellOuts: 1),
                     "profit": .init(skus: 1, warnedSKUs: 1, falseAlarms: 1), "untiered": .init(skus: 1)],
            targets: .init(medianWarningLead: false, noMissedSellOut: false, falseAlarmRate: false, transitionsPerSKUHour: true),
            outcomes: [outcome("A<&\"B", marks: quietMarks, soldOutAt: nil, falseAlarm: true),
                       outcome("SKU-1", marks: lateMarks, soldOutAt: soldOut, missed: true),
                       outcome("SKU-3", marks: [], soldOutAt: nil)],
            transitionsFile: nil)
        let input = BacktestReport.Input(
            source: "ndjson:session <night>.ndjson", recordsByTopic: ["orders": 1200, "carts": 800, "interactions": 3000, "inventory": 3],
            deadLetters: 2, duplicates: 5, lateEvents: 1, tasks: 3, firstEventTime: minute(0), lastEventTime: minute(90))
        return BacktestReport(input: input, targets: .init(), skus: skus, policies: [eager, late])
    }

    static func occurrences(of needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    @Test("the page has one chart per SKU plus the comparison chart and loads nothing from elsewhere")
    func selfContained() {
        let html = BacktestHTML.render(Self.report())
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(Self.occurrences(of: "<svg", in: html) == 3 + 1)
        for forbidden in ["http://", "https://", "src=", "<link", "<script", "url(", "@import"] {
            #expect(!html.contains(forbidden), "found \(forbidden)")
        }
        #expect(html.contains("system-ui, \"Noto Sans CJK SC\", sans-serif"))
        #expect(html.contains("限量款 保温杯 500ml"))
    }

    @Test("every string from the data is escaped")
    func escaping() {
        let html = BacktestHTML.render(Self.report())
        #expect(html.contains("A&lt;&amp;&quot;B"))
        #expect(!html.contains("A<&\"B"))
        #expect(html.contains("Mug &lt;large&gt; &amp; &quot;saucer&quot;"))
        #expect(!html.contains("<large>"))
        #expect(!html.contains("<low>"))
        #expect(!html.contains("<night>"))
        #expect(SVGChart.escape("a'b\u{1}") == "a&#39;b\u{FFFD}")
    }

    @Test("rendering the same report twice gives the same bytes")
    func deterministic() {
        #expect(BacktestHTML.render(Self.report()) == BacktestHTML.render(Self.report()))
    }

    @Test("each target row says pass or fail in words as well as colour")
    func targets() {
        let html = BacktestHTML.render(Self.report())
        #expect(html.contains("<span class=\"badge pass\">✓ pass</span>"))
        #expect(html.contains("<span class=\"badge fail\">✗ fail</span>"))
        #expect(html.contains("4 of 4"))
        #expect(html.contains("1 of 4"))
    }

    @Test("sold-out and alerted SKUs come first and their marks carry tooltips")
    func skuOrderAndMarks() throws {
        let html = BacktestHTML.render(Self.report())
        let soldOut = try #require(html.range(of: "<code>SKU-1</code>"))
        let alerted = try #require(html.range(of: "<code>A&lt;&amp;&quot;B</code>"))
        let quiet = try #require(html.range(of: "<code>SKU-3</code>"))
        #expect(soldOut.lowerBound < alerted.lowerBound && alerted.lowerBound < quiet.lowerBound)
        #expect(html.contains("<title>eager · 08:58:00 UTC · alert warning (escalated) · available 68 · eta &lt; 15 min"))
        #expect(html.contains("fill=\"\(BacktestHTML.Palette.critical)\""))
        #expect(html.contains("sold out 09:20"))
    }

    @Test("beyond 60 SKUs the rest are listed in a table instead of charted, and the page says so")
    func manySKUs() {
        let html = BacktestHTML.render(Self.report(extraSKUs: 70))
        #expect(Self.occurrences(of: "<svg", in: html) == BacktestHTML.maximumChartedSKUs + 1)
        #expect(html.contains("73 SKUs: charts for the 60 most interesting; the other 13 are listed"))
        #expect(html.contains("<code>EXTRA-69</code>"))
    }

    @Test("axis helpers give round ticks and UTC clock times")
    func axisHelpers() {
        #expect(SVGChart.niceTicks(lower: -4, upper: 130, maximumCount: 6) == [-50, 0, 50, 100, 150])
        #expect(SVGChart.niceTicks(lower: 0, upper: 1, maximumCount: 6, minimumStep: 1) == [0, 1])
        #expect(SVGChart.timeTicks(from: Self.minute(0), to: Self.minute(90), maximumCount: 9)
            == stride(from: 0.0, through: 90, by: 15).map { Self.minute($0) })
        #expect(SVGChart.clock(Self.minute(0)) == "08:30")
        #expect(SVGChart.dateTime(Self.minute(0)) == "2026-11-23 08:30:00")
        #expect(SVGChart.dateTime(-1) == "1969-12-31 23:59:59")
        #expect(SVGChart.decimal(-0.04, digits: 1) == "0.0")
        #expect(SVGChart.decimal(2.25, digits: 1, trimmingZeros: true) == "2.3")
        #expect(BacktestHTML.count(1_234_567) == "1,234,567")
    }

    // MARK: Screenshot

    /// Debian's package installs it as `chromium`; the test is skipped on machines without it.
    static let chromium: String? = ["/usr/bin/chromium", "/usr/local/bin/chromium", "/snap/bin/chromium"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test("headless Chromium draws the page with the level colours of the marks",
          .enabled(if: chromium != nil, "chromium is not installed; install Debian's chromium package to run this test"),
          .timeLimit(.minutes(2)))
    func screenshot() async throws {
        let chromium = try #require(Self.chromium)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("backtest-html-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let page = directory.appendingPathComponent("report.html")
        let picture = directory.appendingPathComponent("report.png")
        try? FileManager.default.removeItem(at: picture)
        try Data(BacktestHTML.render(Self.report()).utf8).write(to: page)
        let status = try await Self.run(chromium, [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--force-color-profile=srgb",
            "--user-data-dir=\(directory.appendingPathComponent("profile").path)", "--window-size=1400,2400",
            "--screenshot=\(picture.path)", page.absoluteString,
        ], log: directory.appendingPathComponent("chromium.log"))
        print("backtest report screenshot: \(picture.path)")
        #expect(status == 0, "chromium failed; see \(directory.path)/chromium.log")
        #expect(FileManager.default.fileExists(atPath: picture.path))

        let pngSummary = directory.appendingPathComponent("png.txt")
        let decodeStatus = try await Self.run("/usr/bin/env", ["python3", "-c", Self.pngSummaryScript, picture.path],
                                              log: pngSummary)
        #expect(decodeStatus == 0)
        let summary = try String(contentsOf: pngSummary, encoding: .utf8)
        var fields: [String: String] = [:]
        for line in summary.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
        }
        #expect(fields["width"] == "1400")
        #expect(fields["height"] == "2400")
        #expect(Int(fields["colours"] ?? "") ?? 0 > 50, "a picture of charts has many colours: \(summary)")
        let present = Set((fields["present"] ?? "").split(separator: ",").map(String.init))
        for colour in [BacktestHTML.Palette.warning, BacktestHTML.Palette.critical, BacktestHTML.Palette.freeze] {
            #expect(present.contains(colour), "no \(colour) pixels in \(picture.path): \(summary)")
        }
    }

    /// Prints the PNG's size, its number of distinct colours and which of the probe colours it contains; stdlib only.
    static var pngSummaryScript: String {
        let probes = [BacktestHTML.Palette.notice, BacktestHTML.Palette.warning, BacktestHTML.Palette.critical,
                      BacktestHTML.Palette.freeze].map { "'\($0)'" }.joined(separator: ",")
        return """
            import sys, zlib, struct
            data = open(sys.argv[1], 'rb').read()
            assert data[:8] == b'\\x89PNG\\r\\n\\x1a\\n', 'not a PNG'
            pos, idat = 8, b''
            while pos < len(data):
                length, kind = struct.unpack('>I4s', data[pos:pos + 8])
                body = data[pos + 8:pos + 8 + length]
                if kind == b'IHDR':
                    width, height, depth, colour_type = struct.unpack('>IIBB', body[:10])
                elif kind == b'IDAT':
                    idat += body
                pos += 12 + length
            assert depth == 8 and colour_type in (2, 6), 'unexpected PNG format'
            channels = 3 if colour_type == 2 else 4
            raw, stride, previous, colours = zlib.decompress(idat), width * channels, bytearray(width * channels), set()
            for row in range(height):
                start = row * (stride + 1)
                kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
                for i in range(stride):
                    left = line[i - channels] if i >= channels else 0
                    up, up_left = previous[i], previous[i - channels] if i >= channels else 0
                    if kind == 1: line[i] = (line[i] + left) & 255
                    elif kind == 2: line[i] = (line[i] + up) & 255
                    elif kind == 3: line[i] = (line[i] + (left + up) // 2) & 255
                    elif kind == 4:
                        p = left + up - up_left
                        pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                        line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else up_left)) & 255
                colours.update(bytes(line[i:i + 3]) for i in range(0, stride, channels))
                previous = line
            probes = [\(probes)]
            present = [p for p in probes if bytes.fromhex(p[1:]) in colours]
            print('width', width)
            print('height', height)
            print('colours', len(colours))
            print('present', ','.join(present))
            """
    }

    /// Runs `executable` with its output to `log` and returns its exit status, without blocking a concurrency thread.
    static func run(_ executable: String, _ arguments: [String], log: URL) async throws -> Int32 {
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        defer { try? output.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = output
        return try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { finished in continuation.resume(returning: finished.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
    }
}
