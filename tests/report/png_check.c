/* png_check FILE.png: says whether a screenshot is blank and whether it shows the report's chart.
 * Decodes 8-bit RGB/RGBA non-interlaced PNGs (what Chromium writes) with zlib, then counts
 * non-white pixels and pixels of the first platform colour (#4e79a7, sim/report/html.c).
 * Exit 0 when more than 1% of the pixels are not white and at least 200 pixels have the chart
 * colour (a 5 px point is ~80 px; the scatter of the test report has 12 such points plus its
 * Pareto line and bars), 1 otherwise, 2 for a file it cannot read. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

static uint32_t be32(const unsigned char *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

static int paeth(int a, int b, int c)
{
    int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return fprintf(stderr, "usage: png_check FILE.png\n"), 2;
    FILE *fp = fopen(argv[1], "rb");
    if (!fp)
        return fprintf(stderr, "%s: cannot open\n", argv[1]), 2;
    fseek(fp, 0, SEEK_END);
    long size = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    unsigned char *buf = malloc((size_t)size);
    if (!buf || fread(buf, 1, (size_t)size, fp) != (size_t)size || size < 33 || memcmp(buf, "\x89PNG\r\n\x1a\n", 8))
        return fprintf(stderr, "%s: not a PNG\n", argv[1]), 2;
    fclose(fp);
    uint32_t w = be32(buf + 16), h = be32(buf + 20);
    int depth = buf[24], ctype = buf[25], interlace = buf[28];
    int bpp = ctype == 6 ? 4 : ctype == 2 ? 3 : 0;
    if (depth != 8 || !bpp || interlace || w == 0 || h == 0 || w > 20000 || h > 20000)
        return fprintf(stderr, "%s: unsupported PNG (depth %d, colour type %d)\n", argv[1], depth, ctype), 2;
    unsigned char *idat = malloc((size_t)size);
    size_t nidat = 0;
    for (long off = 8; off + 12 <= size;) {
        uint32_t len = be32(buf + off);
        if (off + 12 + (long)len > size)
            break;
        if (!memcmp(buf + off + 4, "IDAT", 4)) {
            memcpy(idat + nidat, buf + off + 8, len);
            nidat += len;
        }
        off += 12 + (long)len;
    }
    size_t stride = (size_t)w * (size_t)bpp, rawsize = (stride + 1) * h;
    unsigned char *raw = malloc(rawsize), *img = malloc(stride * h);
    uLongf got = rawsize;
    if (!raw || !img || uncompress(raw, &got, idat, nidat) != Z_OK || got != rawsize)
        return fprintf(stderr, "%s: bad image data\n", argv[1]), 2;
    for (uint32_t y = 0; y < h; y++) {
        unsigned char f = raw[y * (stride + 1)], *src = raw + y * (stride + 1) + 1, *dst = img + y * stride;
        const unsigned char *up = y ? img + (y - 1) * stride : NULL;
        for (size_t x = 0; x < stride; x++) {
            int a = x >= (size_t)bpp ? dst[x - bpp] : 0, b = up ? up[x] : 0, c = up && x >= (size_t)bpp ? up[x - bpp] : 0;
            int v = src[x];
            switch (f) {
            case 1: v += a; break;
            case 2: v += b; break;
            case 3: v += (a + b) / 2; break;
            case 4: v += paeth(a, b, c); break;
            }
            dst[x] = (unsigned char)v;
        }
    }
    size_t nonwhite = 0, chart = 0, total = (size_t)w * h;
    for (size_t i = 0; i < total; i++) {
        const unsigned char *p = img + i * (size_t)bpp;
        if (p[0] < 245 || p[1] < 245 || p[2] < 245)
            nonwhite++;
        if (abs(p[0] - 0x4e) < 12 && abs(p[1] - 0x79) < 12 && abs(p[2] - 0xa7) < 12)
            chart++;
    }
    printf("%s: %ux%u, %.1f%% not white, %zu pixels of the chart colour\n", argv[1], w, h, 100.0 * nonwhite / total,
           chart);
    free(buf);
    free(idat);
    free(raw);
    free(img);
    return nonwhite * 100 > total && chart >= 200 ? 0 : 1;
}
