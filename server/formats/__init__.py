"""Pure conversions between bytes on the wire and our values: XML in and out, tables, QR."""
