#!/usr/bin/env python3
"""Generates optim/src/test/resources/fixtures/nist_strd.json: nonlinear least-squares reference
problems of NIST's Statistical Reference Datasets (StRD, Nonlinear Regression section; public
domain data of the U.S. National Institute of Standards and Technology), each with its model,
its two published starting points, certified parameter values and standard deviations, certified
residual sum of squares, and the data.

Sources
- Kirby2, Hahn1, MGH17, Lanczos1 (average difficulty): the original StRD .dat files, read from the
  copies that Apache Commons Math ships as test resources in
  org.apache.commons:commons-math3:3.6.1:jar:tests on Maven Central (fetch it with
  `mvn dependency:get -Dartifact=org.apache.commons:commons-math3:3.6.1:jar:tests`); only the data
  is taken.
- Misra1a, DanWood (lower), BoxBOD, MGH09, MGH10, Rat42, Rat43 (higher difficulty): small data sets
  transcribed below from the StRD pages of the same names. A transcription error could not go
  unnoticed: the tests refit every problem from both starts and compare with the certified values to
  6 significant digits.

Models are written in the formula syntax of `descent fit` (parameters b1..bp, the column x).
Run: /usr/bin/python3 tools/nist_strd.py"""
import json
import os
import re
import zipfile

JAR = os.path.expanduser("~/.m2/repository/org/apache/commons/commons-math3/3.6.1/commons-math3-3.6.1-tests.jar")
ROOT = "org/apache/commons/math3/fitting/leastsquares/"

MODELS = {
    "Misra1a": "b1*(1-exp(-b2*x))",
    "DanWood": "b1*pow(x,b2)",
    "Kirby2": "(b1 + b2*x + b3*x*x) / (1 + b4*x + b5*x*x)",
    "Hahn1": "(b1 + b2*x + b3*x*x + b4*x*x*x) / (1 + b5*x + b6*x*x + b7*x*x*x)",
    "MGH17": "b1 + b2*exp(-x*b4) + b3*exp(-x*b5)",
    "Lanczos1": "b1*exp(-b2*x) + b3*exp(-b4*x) + b5*exp(-b6*x)",
    "BoxBOD": "b1*(1-exp(-b2*x))",
    "MGH09": "b1*(x*x + x*b2) / (x*x + x*b3 + b4)",
    "MGH10": "b1*exp(b2/(x+b3))",
    "Rat42": "b1 / (1 + exp(b2 - b3*x))",
    "Rat43": "b1 / pow(1 + exp(b2 - b3*x), 1/b4)",
}

# name: (difficulty, [(start1, start2, certified, certified sd) per parameter], certified rss, [(y, x)])
TRANSCRIBED = {
    "Misra1a": ("lower", [(500, 250, 2.3894212918E+02, 2.7070075241E+00), (1e-4, 5e-4, 5.5015643181E-04, 7.2668688436E-06)],
                1.2455138894E-01,
                [(10.07, 77.6), (14.73, 114.9), (17.94, 141.1), (23.93, 190.8), (29.61, 239.9), (35.18, 289.0), (40.02, 332.8),
                 (44.82, 378.4), (50.76, 434.8), (55.05, 477.3), (61.01, 536.8), (66.40, 593.1), (75.47, 689.1), (81.78, 760.0)]),
    "DanWood": ("lower", [(1, 0.7, 7.6886226176E-01, 1.8281973860E-02), (5, 4, 3.8604055871E+00, 5.1726610913E-02)],
                4.3173084083E-03,
                [(2.138, 1.309), (3.421, 1.471), (3.597, 1.490), (4.340, 1.565), (4.882, 1.611), (5.660, 1.680)]),
    "BoxBOD": ("higher", [(1, 100, 2.1380940889E+02, 1.2354515176E+01), (1, 0.75, 5.4723748542E-01, 1.0455993237E-01)],
               1.1680088766E+03,
               [(109, 1), (149, 2), (149, 3), (191, 5), (213, 7), (224, 10)]),
    "MGH09": ("higher", [(25, 0.25, 1.9280693458E-01, 1.1435312227E-02), (39, 0.39, 1.9128232873E-01, 1.9633220911E-01),
                         (41.5, 0.415, 1.2305650693E-01, 8.0842031232E-02), (39, 0.39, 1.3606233068E-01, 9.0025542308E-02)],
              3.0750560385E-04,
              [(1.957000E-01, 4.000000E+00), (1.947000E-01, 2.000000E+00), (1.735000E-01, 1.000000E+00), (1.600000E-01, 5.000000E-01),
               (8.440000E-02, 2.500000E-01), (6.270000E-02, 1.670000E-01), (4.560000E-02, 1.250000E-01), (3.420000E-02, 1.000000E-01),
               (3.230000E-02, 8.330000E-02), (2.350000E-02, 7.140000E-02), (2.460000E-02, 6.250000E-02)]),
    "MGH10": ("higher", [(2, 0.02, 5.6096364710E-03, 1.5687892471E-04), (400000, 4000, 6.1813463463E+03, 2.3309021107E+01),
                         (25000, 250, 3.4522363462E+02, 7.8486103508E-01)],
              8.7945855171E+01,
              [(3.478000E+04, 5.000000E+01), (2.861000E+04, 5.500000E+01), (2.365000E+04, 6.000000E+01), (1.963000E+04, 6.500000E+01),
               (1.637000E+04, 7.000000E+01), (1.372000E+04, 7.500000E+01), (1.154000E+04, 8.000000E+01), (9.744000E+03, 8.500000E+01),
               (8.261000E+03, 9.000000E+01), (7.030000E+03, 9.500000E+01), (6.005000E+03, 1.000000E+02), (5.147000E+03, 1.050000E+02),
               (4.427000E+03, 1.100000E+02), (3.820000E+03, 1.150000E+02), (3.307000E+03, 1.200000E+02), (2.872000E+03, 1.250000E+02)]),
    "Rat42": ("higher", [(100, 75, 7.2462237576E+01, 1.7340283401E+00), (1, 2.5, 2.6180768402E+00, 8.8295217536E-02),
                         (0.1, 0.07, 6.7359200066E-02, 3.4465663377E-03)],
              8.0565229338E+00,
              [(8.930, 9.0), (10.800, 14.0), (18.590, 21.0), (22.330, 28.0), (39.350, 42.0), (56.110, 57.0), (61.730, 63.0),
               (64.620, 70.0), (67.080, 79.0)]),
    "Rat43": ("higher", [(100, 700, 6.9964151270E+02, 1.6302297817E+01), (10, 5, 5.2771253025E+00, 2.0828735829E+00),
                         (1, 0.75, 7.5962938329E-01, 1.9566123451E-01), (1, 1.3, 1.2792483859E+00, 6.8761936385E-01)],
              8.7864049080E+03,
              [(16.08, 1), (33.83, 2), (65.80, 3), (97.20, 4), (191.55, 5), (326.20, 6), (386.87, 7), (520.53, 8), (590.03, 9),
               (651.92, 10), (724.93, 11), (699.56, 12), (689.96, 13), (637.56, 14), (717.41, 15)]),
}


def parse_dat(text):
    lines = text.splitlines()
    params = []
    rss = None
    data = []
    in_data = False
    for line in lines:
        m = re.match(r"^\s*b\d+\s*=\s*(\S+)\s+(\S+)\s+(\S+)\s+(\S+)", line)
        if m and not in_data:
            params.append(tuple(float(v) for v in m.groups()))
        if line.startswith("Residual Sum of Squares:"):
            rss = float(line.split(":")[1])
        if re.match(r"^Data:\s+y\s+x", line):
            in_data = True
            continue
        if in_data and line.strip():
            y, x = line.split()[:2]
            data.append((float(y), float(x)))
    difficulty = "average" if "Average Level of Difficulty" in text else ("lower" if "Lower Level" in text else "higher")
    return difficulty, params, rss, data


def problem(name, difficulty, params, rss, data):
    return {"name": name, "difficulty": difficulty, "model": MODELS[name],
            "start1": [p[0] for p in params], "start2": [p[1] for p in params],
            "certified": [p[2] for p in params], "certifiedStdDev": [p[3] for p in params], "certifiedRss": rss,
            "x": [d[1] for d in data], "y": [d[0] for d in data]}


problems = []
with zipfile.ZipFile(JAR) as jar:
    for name in ("Kirby2", "Hahn1", "MGH17", "Lanczos1"):
        problems.append(problem(name, *parse_dat(jar.read(ROOT + name + ".dat").decode("ascii"))))
for name, (difficulty, params, rss, data) in TRANSCRIBED.items():
    problems.append(problem(name, difficulty, params, rss, data))
order = {"lower": 0, "average": 1, "higher": 2}
problems.sort(key=lambda p: order[p["difficulty"]])
out = os.path.join(os.path.dirname(__file__), "..", "optim", "src", "test", "resources", "fixtures", "nist_strd.json")
with open(out, "w") as f:
    json.dump({"source": "NIST Statistical Reference Datasets, Nonlinear Regression", "problems": problems}, f, indent=1)
for p in problems:
    print(p["name"], p["difficulty"], len(p["x"]), "observations,", len(p["certified"]), "parameters")
