//! The kiosk code as a QR image: black modules on white, a quiet zone of four
//! modules, eight pixels per module, as an 8-bit greyscale PNG.

use crate::messages::RenderError;
use qrcode::{Color, QrCode};

/// Pixels per QR module.
pub const MODULE_PX: usize = 8;
/// Light modules around the symbol, as the QR specification asks.
pub const QUIET_ZONE: usize = 4;

/// A rendered QR code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrPng {
    /// The PNG file.
    pub bytes: Vec<u8>,
    /// Width and height in pixels (the image is square).
    pub size_px: u32,
}

/// `text` as a QR code (error correction level M) in a PNG.
pub fn png(text: &str) -> Result<QrPng, RenderError> {
    let code = QrCode::new(text.as_bytes()).map_err(RenderError::Qr)?;
    let modules = code.width();
    let colors = code.to_colors();
    let side_modules = modules + 2 * QUIET_ZONE;
    let side = side_modules * MODULE_PX;

    let mut pixels = vec![u8::MAX; side * side];
    for (index, color) in colors.iter().enumerate() {
        if *color != Color::Dark {
            continue;
        }
        let (mx, my) = (index % modules + QUIET_ZONE, index / modules + QUIET_ZONE);
        for y in my * MODULE_PX..(my + 1) * MODULE_PX {
            let row = y * side;
            pixels[row + mx * MODULE_PX..row + (mx + 1) * MODULE_PX].fill(0);
        }
    }

    let size_px = u32::try_from(side).map_err(|_| RenderError::QrTooLarge)?;
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, size_px, size_px);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(RenderError::Png)?;
    writer.write_image_data(&pixels).map_err(RenderError::Png)?;
    writer.finish().map_err(RenderError::Png)?;
    Ok(QrPng { bytes, size_px })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Decodes a PNG written by [`png`] and reads every QR code in it.
    pub(crate) fn read_back(bytes: &[u8]) -> Vec<String> {
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!(info.color_type, png::ColorType::Grayscale);
        let (w, h) = (info.width as usize, info.height as usize);
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| buf[y * w + x]);
        image
            .detect_grids()
            .iter()
            .map(|grid| grid.decode().unwrap().1)
            .collect()
    }

    #[test]
    fn the_png_reads_back_as_the_kiosk_code() {
        let qr = png("AC34FH").unwrap();
        assert_eq!(read_back(&qr.bytes), vec!["AC34FH".to_owned()]);
    }

    #[test]
    fn the_image_has_a_quiet_zone_and_eight_pixels_per_module() {
        let qr = png("AC34FH").unwrap();
        // Six alphanumeric characters fit version 1: 21 modules, plus 2 × 4 quiet.
        assert_eq!(qr.size_px, (21 + 8) * 8);
        let decoder = png::Decoder::new(std::io::Cursor::new(&qr.bytes[..]));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        reader.next_frame(&mut buf).unwrap();
        let side = qr.size_px as usize;
        let quiet = QUIET_ZONE * MODULE_PX;
        let border_is_white = (0..side).all(|i| {
            [(i, 0), (0, i), (i, quiet - 1), (quiet - 1, i)]
                .iter()
                .all(|&(x, y)| buf[y * side + x] == u8::MAX)
        });
        assert!(border_is_white);
        // The finder pattern's top-left module is dark.
        assert_eq!(buf[quiet * side + quiet], 0);
    }

    #[test]
    fn text_too_long_for_any_qr_version_is_an_error() {
        assert!(matches!(png(&"A".repeat(5000)), Err(RenderError::Qr(_))));
    }
}
