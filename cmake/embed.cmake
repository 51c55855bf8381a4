# Write INPUT's bytes as a C array NAME into OUTPUT (cmake -P): the eBPF
# recorder's object, built by clang -target bpf, embedded in the tracer.
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" n)
math(EXPR bytes "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" body "${body}")
file(WRITE "${OUTPUT}.tmp" "/* generated from ${INPUT} by cmake/embed.cmake */\nstatic const unsigned char ${NAME}[${bytes}] __attribute__((aligned(8))) = {\n${body}\n};\n")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
