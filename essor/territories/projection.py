"""The Lambert-93 projection (RGF93) of French official maps, in its spherical form. Pure
Python with no Django import: the map build scripts use it too."""

import math

PARALLELS = (44.0, 49.0)
ORIGIN = (3.0, 46.5)


def lambert93(lon: float, lat: float) -> tuple[float, float]:
    """Longitude and latitude in degrees → plane coordinates (unit: the earth's radius). The
    affine fit stored with the commune positions absorbs the scale, so the ellipsoid's
    refinements would not show."""
    phi1, phi2 = (math.radians(p) for p in PARALLELS)
    lon0, lat0 = (math.radians(v) for v in ORIGIN)
    n = math.log(math.cos(phi1) / math.cos(phi2)) / math.log(
        math.tan(math.pi / 4 + phi2 / 2) / math.tan(math.pi / 4 + phi1 / 2)
    )
    big_f = math.cos(phi1) * math.tan(math.pi / 4 + phi1 / 2) ** n / n
    rho0 = big_f / math.tan(math.pi / 4 + lat0 / 2) ** n
    rho = big_f / math.tan(math.pi / 4 + math.radians(lat) / 2) ** n
    theta = n * (math.radians(lon) - lon0)
    return rho * math.sin(theta), rho0 - rho * math.cos(theta)
