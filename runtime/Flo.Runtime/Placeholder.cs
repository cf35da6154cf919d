namespace Flo.Runtime;
