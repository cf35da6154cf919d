using System.Text;

namespace Flo.CodeGenerator
{
    /// <summary>A string builder that tracks indentation, so emitters read like the code they produce.</summary>
    internal sealed class CodeBuilder
    {
        private readonly StringBuilder sb = new StringBuilder();
        private int indent;

        public CodeBuilder(int indent = 0)
        {
            this.indent = indent;
        }

        public CodeBuilder Line(string text = "")
        {
            if (text.Length > 0)
            {
                sb.Append(' ', indent * 4);
            }
            sb.Append(text).Append('\n');
            return this;
        }

        public CodeBuilder Open(string? header = null)
        {
            if (header != null)
            {
                Line(header);
            }
            Line("{");
            indent++;
            return this;
        }

        public CodeBuilder Close(string suffix = "")
        {
            indent--;
            return Line("}" + suffix);
        }

        public override string ToString() => sb.ToString();
    }
}
