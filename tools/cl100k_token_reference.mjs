// Writes tests/data/cl100k_reference.json: GPT-4's token ids for a fixed set of strings,
// computed by an independent encoder (npm gpt-tokenizer@4.0.0, MIT), never by our own code.
// tests/test_cl100k.py checks that our pure-Python encoder gives the same ids.
//
//   mkdir /tmp/gptt && tar xzf ~/.cache/llmexplain/downloads/gpt-tokenizer-4.0.0.tgz -C /tmp/gptt
//   node tools/cl100k_token_reference.mjs /tmp/gptt/package > tests/data/cl100k_reference.json
//
// (the build downloads that tarball and checks its sha256: tooling/pins.py GPT_TOKENIZER.)
// Left out on purpose: U+0085 and U+FEFF, where JavaScript's \s disagrees with Unicode's
// White_Space (which tiktoken, and our code, follow), and U+017F, which tiktoken's
// case-insensitive contractions match and gpt-tokenizer's do not.
import { pathToFileURL } from "node:url";
import { join } from "node:path";

const dir = process.argv[2];
const { encode } = await import(pathToFileURL(join(dir, "esm/encoding/cl100k_base.js")).href);

const paragraph = "It was the best of times, it was the worst of times, it was the age of " +
  "wisdom, it was the age of foolishness, it was the epoch of belief, it was the epoch of " +
  "incredulity. In 1859, some 3,000,000 people lived in London; they paid £1.50 for bread " +
  "(or so we're told). “Quotes”, ‘single’ — and dashes – too… OK?\n\nNew paragraph:\tend.";

const strings = [
  "", "a", " ", "understanding", " understanding", "I understand understanding.",
  "Hello, world!", "hello world", "HELLO WORLD", "Hello  world", "Hello   world   ",
  // contractions, any case
  "it's", "don't", "we're", "I've", "I'm", "you'll", "he'd", "IT'S", "DON'T", "We'Re", "'s'",
  "rock 'n' roll", "o'clock", "'tis", "'''",
  // numbers of 1-7 digits and mixed
  "1", "12", "123", "1234", "12345", "123456", "1234567", "3.14159", "1,000,000", "-42",
  "v2.0.1", "abc123def", "2024-01-01", "0x1F600", "١٢٣٤٥", "²³", "Ⅻ", "½ cup",
  // spaces, new lines, tabs
  "a\nb", "a\n\nb", "a\n\n\nb", "a\r\nb", "\n", "\n\n", "  \n  ", "a \n b", "line one\n  indented",
  "\ttab", "a\tb", "a\t\tb", "   leading", "trailing   ", "a  \t  b", "\u00a0nbsp\u00a0",
  "\u2003em space\u3000ideographic", "\u2028\u2029",
  // punctuation
  "!!!", "?!", "...", "—", "a--b", "(x)", "[1, 2, 3]", "{\"key\": \"value\"}", "<img src=x onerror=alert(1)>",
  "https://example.com/path?q=1&r=2", "foo@bar.com", "#hashtag @mention", "$100.00", "50%", "C++",
  "def f(x):\n    return x ** 2\n", "if (a && b) { c(); }", ":-)", "¿Qué?", "«quoted»",
  // emoji, including ZWJ sequences, flags, skin tones, keycaps
  "😀", "🙂 smile", "👍🏽", "👩‍💻", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇬🇧🇯🇵", "1️⃣", "❤️", "I ❤️ NY 🗽",
  // other scripts
  "日本語のテキスト", "中文分词测试", "한국어 텍스트", "Привет, мир!", "Ελληνικά", "العربية لغة جميلة",
  "שלום עולם", "हिन्दी", "ภาษาไทย", "Tiếng Việt", "Straße", "naïve café", "ﬁ ligature",
  // combining marks
  "e\u0301", "cafe\u0301", "a\u0300\u0301\u0302", "Z\u0335\u0321a\u0336l\u0337g\u0338o",
  "\u0915\u094d\u0937",
  // control characters
  "\u0000", "a\u0000b", "\u0001\u0002\u0003", "\u001b[31mred\u001b[0m", "\u007f", "\u001c\u001d\u001e\u001f",
  "bell\u0007", "\u000b\u000c",
  // rare and unusual
  "\u200b", "a\u200db", "\ud83d\ude00".repeat(3), "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "\u{10FFFF}", "\uE000 private use",
  "a".repeat(100), " ".repeat(50), "ab".repeat(40), "!".repeat(30), "9".repeat(25),
  paragraph,
];

const source = "npm gpt-tokenizer@4.0.0 (sha256 e50075c9a98389fbe59bf6b42d8d50b49c1cbd7aec6c205bfc28847ee0eeb20a), " +
  "encoding cl100k_base, encode(); made by tools/cl100k_token_reference.mjs";
// One string a line, so a change to the list reads well in a diff.
const lines = strings.map((text) => "  " + JSON.stringify({ text, ids: encode(text) }));
process.stdout.write(`{"source": ${JSON.stringify(source)},\n "strings": [\n${lines.join(",\n")}\n]}\n`);
