namespace Flo.TestGrains;
