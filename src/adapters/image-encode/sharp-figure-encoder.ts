/**
 * FigureEncoder with sharp (libvips: SVG through librsvg, PNG/JPEG/GIF/WebP) and pdfkit (a
 * one-page PDF holding the figure's raster).
 */
import PDFDocument from 'pdfkit';
import sharp, { type OverlayOptions } from 'sharp';
import type { AnimationFormat, FigureEncoder, FigureLayerImage } from '../../app/publish/figure.ts';
import { ValidationError } from '../../core/errors.ts';

function checkRgba(rgba: Uint8Array, width: number, height: number): void {
  if (rgba.length !== width * height * 4) {
    throw new ValidationError(
      `RGBA buffer of ${rgba.length} bytes does not hold ${width} × ${height} × 4`,
    );
  }
}

function overlay(layer: FigureLayerImage): OverlayOptions {
  if (layer.kind === 'svg') {
    return { input: Buffer.from(layer.svg), left: layer.left, top: layer.top };
  }
  checkRgba(layer.rgba, layer.width, layer.height);
  return {
    input: Buffer.from(layer.rgba.buffer, layer.rgba.byteOffset, layer.rgba.byteLength),
    raw: { width: layer.width, height: layer.height, channels: 4 },
    left: layer.left,
    top: layer.top,
  };
}

export class SharpFigureEncoder implements FigureEncoder {
  async pngDataUri(rgba: Uint8Array, width: number, height: number): Promise<string> {
    checkRgba(rgba, width, height);
    const png = await sharp(rgba, { raw: { width, height, channels: 4 } })
      .png({ compressionLevel: 6 })
      .toBuffer();
    return `data:image/png;base64,${png.toString('base64')}`;
  }

  async composite(
    width: number,
    height: number,
    layers: readonly FigureLayerImage[],
    format: 'png' | 'jpeg' | 'raw',
  ): Promise<Uint8Array> {
    const canvas = sharp({
      create: { width, height, channels: 4, background: { r: 255, g: 255, b: 255, alpha: 1 } },
    }).composite(layers.map(overlay));
    if (format === 'raw') {
      const raw = await canvas.raw().toBuffer();
      return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
    }
    const encoded =
      format === 'png'
        ? canvas.png({ compressionLevel: 4 })
        : canvas.flatten({ background: '#ffffff' }).jpeg({ quality: 90 });
    return new Uint8Array(await encoded.toBuffer());
  }

  pdfFromPng(png: Uint8Array, width: number, height: number, title: string): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      const doc = new PDFDocument({
        size: [width, height],
        margin: 0,
        info: { Title: title, Creator: 'sitewatch figure' },
      });
      const chunks: Buffer[] = [];
      doc.on('data', (chunk: Buffer) => chunks.push(chunk));
      doc.on('end', () => {
        resolve(new Uint8Array(Buffer.concat(chunks)));
      });
      doc.on('error', reject);
      doc.image(Buffer.from(png), 0, 0, { width, height });
      doc.end();
    });
  }

  async animate(
    frames: readonly Uint8Array[],
    width: number,
    height: number,
    delayMs: number,
    format: AnimationFormat,
  ): Promise<Uint8Array> {
    frames.forEach((frame) => {
      checkRgba(frame, width, height);
    });
    const all = Buffer.concat(frames.map((f) => Buffer.from(f.buffer, f.byteOffset, f.byteLength)));
    const image = sharp(all, {
      raw: { width, height: height * frames.length, channels: 4, pageHeight: height },
    });
    const delay = frames.map(() => delayMs);
    const encoded =
      format === 'gif'
        ? image.gif({ delay, loop: 0, effort: 4 })
        : image.webp({ delay, loop: 0, quality: 85 });
    return new Uint8Array(await encoded.toBuffer());
  }
}
