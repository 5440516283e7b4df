#!/usr/bin/env python3
"""Independent reference for dev.descent.core.Generator: SplitMix64 seeding and xoshiro256**,
written from the published algorithm descriptions. Prints the first draws for a few seeds, which
GeneratorTest pins."""
M = (1 << 64) - 1

def splitmix(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return z ^ (z >> 31)

def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & M

def stream(seed):
    x = seed & M
    s = []
    for _ in range(4):
        x = (x + 0x9E3779B97F4A7C15) & M
        s.append(splitmix(x))
    while True:
        result = (rotl((s[1] * 5) & M, 7) * 9) & M
        t = (s[1] << 17) & M
        s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t
        s[3] = rotl(s[3], 45)
        yield result

def signed(v):
    return v - (1 << 64) if v >= (1 << 63) else v

for seed in (0, 42, -7):
    g = stream(seed)
    print(seed, [signed(next(g)) for _ in range(4)])
g = stream(42)
print("doubles(42)", [(next(g) >> 11) * 2.0 ** -53 for _ in range(3)])
