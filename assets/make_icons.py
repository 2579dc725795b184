"""Draws UDP Lab's icon at every size the platforms want (run from the project root:
python3 assets/make_icons.py; needs Pillow). Two endpoints and a datagram between them."""
from PIL import Image, ImageDraw, ImageFont

def draw(size):
    s = 4 * size  # supersample, then shrink for smooth edges
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    m = s // 16
    d.rounded_rectangle([m, m, s - m, s - m], radius=s // 5, fill=(24, 60, 110, 255))
    # lifelines: client (left) and server (right)
    lw = max(4, s // 28)
    for x in (s * 0.3, s * 0.7):
        d.line([(x, s * 0.22), (x, s * 0.78)], fill=(230, 238, 250, 255), width=lw)
    # request arrow (down-right) and reply arrow (down-left)
    def arrow(x0, y0, x1, y1, color):
        d.line([(x0, y0), (x1, y1)], fill=color, width=lw)
        dx, dy = x1 - x0, y1 - y0
        n = (dx * dx + dy * dy) ** 0.5
        ux, uy = dx / n, dy / n
        h = s * 0.09
        px, py = -uy, ux
        d.polygon([(x1, y1), (x1 - ux * h + px * h * 0.55, y1 - uy * h + py * h * 0.55),
                   (x1 - ux * h - px * h * 0.55, y1 - uy * h - py * h * 0.55)], fill=color)
    arrow(s * 0.3, s * 0.3, s * 0.7, s * 0.46, (255, 196, 60, 255))
    arrow(s * 0.7, s * 0.54, s * 0.3, s * 0.7, (120, 220, 140, 255))
    return img.resize((size, size), Image.LANCZOS)

def write_all():
    # Linux (hicolor theme sizes; the .deb and the README install these).
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        draw(size).save(f"assets/icons/{size}x{size}.png")
    # The window icon (embedded by src/main.rs).
    draw(256).save("assets/icon-256.png")
    # Windows.
    imgs = [draw(x) for x in (16, 24, 32, 48, 64, 128, 256)]
    imgs[-1].save("assets/icon.ico", sizes=[(x, x) for x in (16, 24, 32, 48, 64, 128, 256)])
    write_icns()
    print("icons written")


def write_icns():
    # macOS: Pillow scales the 1024 px picture into every size an .icns holds.
    draw(1024).save("assets/icons/udp-lab.icns")


if __name__ == "__main__":
    write_all()
