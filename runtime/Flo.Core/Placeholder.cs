namespace Flo;
