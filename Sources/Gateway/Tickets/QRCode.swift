import CQRencode

/// A QR code drawn as SVG, encoded by libqrencode (medium error correction: a ticket survives a crease).
enum QRCode {
    /// The symbol for `text` with a four-module quiet zone, one path of dark modules; nil when the text does
    /// not fit in a QR code (never the case for a ticket secret).
    static func svg(_ text: String) -> String? {
        guard let code = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1) else { return nil }
        defer { QRcode_free(code) }
        let width = Int(code.pointee.width)
        let data = code.pointee.data!
        let margin = 4
        let size = width + 2 * margin
        var path = ""
        path.reserveCapacity(width * width)
        for y in 0..<width {
            var x = 0
            while x < width {
                // Bit 0 of each byte is the module's colour; runs of dark modules become one rectangle.
                guard data[y * width + x] & 1 == 1 else {
                    x += 1
                    continue
                }
                let start = x
                while x < width, data[y * width + x] & 1 == 1 { x += 1 }
                path += "M\(start + margin) \(y + margin)h\(x - start)v1h-\(x - start)z"
            }
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(size) \(size)" shape-rendering="crispEdges">\
            <rect width="\(size)" height="\(size)" fill="#fff"/><path d="\(path)" fill="#000"/></svg>
            """
    }
}
