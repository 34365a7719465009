#include "io/pickle.h"

#include <bit>
#include <cstring>
#include <unordered_map>
#include <utility>

#include "core/error.h"

namespace greenbert {
namespace {

using Kind = PickleObject::Kind;

// Every pickle opcode up to protocol 5, so that a rejected one is named, not just numbered.
struct OpcodeName {
  uint8_t code;
  const char* name;
};
constexpr OpcodeName kOpcodeNames[] = {
    {0x28, "MARK"},         {0x29, "EMPTY_TUPLE"},
    {0x2e, "STOP"},         {0x30, "POP"},
    {0x31, "POP_MARK"},     {0x32, "DUP"},
    {0x42, "BINBYTES"},     {0x43, "SHORT_BINBYTES"},
    {0x46, "FLOAT"},        {0x47, "BINFLOAT"},
    {0x49, "INT"},          {0x4a, "BININT"},
    {0x4b, "BININT1"},      {0x4c, "LONG"},
    {0x4d, "BININT2"},      {0x4e, "NONE"},
    {0x50, "PERSID"},       {0x51, "BINPERSID"},
    {0x52, "REDUCE"},       {0x53, "STRING"},
    {0x54, "BINSTRING"},    {0x55, "SHORT_BINSTRING"},
    {0x56, "UNICODE"},      {0x58, "BINUNICODE"},
    {0x5d, "EMPTY_LIST"},   {0x61, "APPEND"},
    {0x62, "BUILD"},        {0x63, "GLOBAL"},
    {0x64, "DICT"},         {0x65, "APPENDS"},
    {0x67, "GET"},          {0x68, "BINGET"},
    {0x69, "INST"},         {0x6a, "LONG_BINGET"},
    {0x6c, "LIST"},         {0x6f, "OBJ"},
    {0x70, "PUT"},          {0x71, "BINPUT"},
    {0x72, "LONG_BINPUT"},  {0x73, "SETITEM"},
    {0x74, "TUPLE"},        {0x75, "SETITEMS"},
    {0x7d, "EMPTY_DICT"},   {0x80, "PROTO"},
    {0x81, "NEWOBJ"},       {0x82, "EXT1"},
    {0x83, "EXT2"},         {0x84, "EXT4"},
    {0x85, "TUPLE1"},       {0x86, "TUPLE2"},
    {0x87, "TUPLE3"},       {0x88, "NEWTRUE"},
    {0x89, "NEWFALSE"},     {0x8a, "LONG1"},
    {0x8b, "LONG4"},        {0x8c, "SHORT_BINUNICODE"},
    {0x8d, "BINUNICODE8"},  {0x8e, "BINBYTES8"},
    {0x8f, "EMPTY_SET"},    {0x90, "ADDITEMS"},
    {0x91, "FROZENSET"},    {0x92, "NEWOBJ_EX"},
    {0x93, "STACK_GLOBAL"}, {0x94, "MEMOIZE"},
    {0x95, "FRAME"},        {0x96, "BYTEARRAY8"},
    {0x97, "NEXT_BUFFER"},  {0x98, "READONLY_BUFFER"},
};

const char* opcode_name(uint8_t code) {
  for (const auto& op : kOpcodeNames) {
    if (op.code == code) return op.name;
  }
  return nullptr;
}

// The only globals a state_dict needs. Storage types carry their element type.
struct AllowedGlobal {
  const char* name;
  bool storage;
  DType dtype;
};
constexpr const char* kOrderedDict = "collections.OrderedDict";
constexpr const char* kRebuildTensor = "torch._utils._rebuild_tensor_v2";
constexpr const char* kRebuildParameter = "torch._utils._rebuild_parameter";
constexpr AllowedGlobal kAllowedGlobals[] = {
    {kOrderedDict, false, DType::F32},
    {kRebuildTensor, false, DType::F32},
    {kRebuildParameter, false, DType::F32},
    {"torch.FloatStorage", true, DType::F32},
    {"torch.DoubleStorage", true, DType::F64},
    {"torch.HalfStorage", true, DType::F16},
    {"torch.BFloat16Storage", true, DType::BF16},
    {"torch.LongStorage", true, DType::I64},
    {"torch.IntStorage", true, DType::I32},
    {"torch.ShortStorage", true, DType::I16},
    {"torch.CharStorage", true, DType::I8},
    {"torch.ByteStorage", true, DType::U8},
    {"torch.BoolStorage", true, DType::BOOL},
};

// The memory the unpickled objects may take: a multiple of the pickle's size, plus a floor.
// torch.save's pickles take 20 to 35 times their size here (~20 objects of 136 bytes per tensor
// for 100 to 200 bytes of pickle); a crafted one could otherwise multiply its size without bound
// (a 1 MB memoised string used as the key of every storage, a long shape tuple referenced by
// every tensor).
constexpr size_t kMemoryFactor = 64;
constexpr size_t kMemoryFloor = size_t{16} << 20;
constexpr size_t kMemoEntryBytes = 48;  // a node of the memo's hash map, roughly

class Machine {
 public:
  Machine(std::span<const std::byte> bytes, const std::string& label)
      : bytes_(bytes), label_(label), memory_limit_(kMemoryFloor + kMemoryFactor * bytes.size()) {}

  Unpickled run() {
    while (true) {
      op_start_ = pos_;
      uint8_t op = read_u8("an opcode");
      op_ = op;
      if (step(op)) break;
    }
    if (!marks_.empty()) error("STOP with an unclosed MARK");
    if (stack_.size() != 1)
      error("STOP with ", stack_.size(), " objects on the stack (expected 1)");
    Unpickled result;
    result.root = stack_.back();
    result.objects = std::move(objects_);
    result.size = pos_;
    return result;
  }

 private:
  template <typename... Args>
  [[noreturn]] void error(const Args&... args) const {
    fail(label_, ": byte ", op_start_, ": ", args...);
  }

  std::span<const std::byte> take(size_t n, const char* what) {
    if (n > bytes_.size() - pos_) {
      error("truncated: ", what, " needs ", n, " bytes, ", bytes_.size() - pos_, " left");
    }
    auto out = bytes_.subspan(pos_, n);
    pos_ += n;
    return out;
  }
  uint8_t read_u8(const char* what) { return static_cast<uint8_t>(take(1, what)[0]); }
  template <typename T>
  T read_le(const char* what) {
    T value;
    std::memcpy(&value, take(sizeof(T), what).data(), sizeof(T));
    return value;
  }
  std::string read_text(size_t n, const char* what) {
    auto raw = take(n, what);
    return std::string(reinterpret_cast<const char*>(raw.data()), raw.size());
  }
  std::string read_line(const char* what) {
    size_t start = pos_;
    while (true) {
      if (pos_ >= bytes_.size()) error("truncated: ", what, " has no end of line");
      if (bytes_[pos_++] == std::byte{'\n'}) break;
    }
    return std::string(reinterpret_cast<const char*>(bytes_.data() + start), pos_ - start - 1);
  }

  // Counts `bytes` of memory the objects take against the pickle's budget.
  void charge(size_t bytes) {
    memory_ += bytes;
    if (memory_ > memory_limit_)
      error("its objects would take more than ", memory_limit_, " bytes of memory (", kMemoryFactor,
            " x the pickle's ", bytes_.size(),
            " bytes, +16 MiB): not a state_dict torch.save writes");
  }
  uint32_t push(PickleObject object) {
    charge(sizeof(PickleObject));  // and what it comes to hold, where that is filled in
    objects_.push_back(std::move(object));
    auto index = static_cast<uint32_t>(objects_.size() - 1);
    stack_.push_back(index);
    return index;
  }
  uint32_t push_int(int64_t value) {
    PickleObject object;
    object.kind = Kind::Int;
    object.integer = value;
    return push(std::move(object));
  }
  uint32_t push_kind(Kind kind) {
    PickleObject object;
    object.kind = kind;
    return push(std::move(object));
  }
  size_t floor() const { return marks_.empty() ? 0 : marks_.back(); }
  uint32_t top() {
    if (stack_.size() <= floor()) error(opcode_name(op_), " on an empty stack");
    return stack_.back();
  }
  uint32_t pop() {
    uint32_t index = top();
    stack_.pop_back();
    return index;
  }
  std::vector<uint32_t> pop_mark() {
    if (marks_.empty()) error(opcode_name(op_), " without a MARK");
    std::vector<uint32_t> items(stack_.begin() + static_cast<std::ptrdiff_t>(marks_.back()),
                                stack_.end());
    stack_.resize(marks_.back());
    marks_.pop_back();
    return items;
  }
  PickleObject& object(uint32_t index) { return objects_[index]; }
  PickleObject& expect(uint32_t index, Kind kind, const char* role) {
    PickleObject& found = object(index);
    if (found.kind != kind) {
      error(opcode_name(op_), ": ", role, " is a ", kind_name(found.kind), ", expected a ",
            kind_name(kind));
    }
    return found;
  }

  // Executes one opcode; returns true at STOP.
  bool step(uint8_t op) {
    switch (op) {
      case 0x80: {  // PROTO
        uint8_t version = read_u8("PROTO's version");
        if (version > 5) error("pickle protocol ", static_cast<int>(version), " is not supported");
        return false;
      }
      case 0x2e:  // STOP
        return true;
      case 0x28:  // MARK
        marks_.push_back(stack_.size());
        return false;
      case 0x7d:
        push_kind(Kind::Dict);
        return false;  // EMPTY_DICT
      case 0x5d:
        push_kind(Kind::List);
        return false;  // EMPTY_LIST
      case 0x29:
        push_kind(Kind::Tuple);
        return false;  // EMPTY_TUPLE
      case 0x4e:
        push_kind(Kind::None);
        return false;  // NONE
      case 0x88:       // NEWTRUE
      case 0x89: {     // NEWFALSE
        uint32_t index = push_kind(Kind::Bool);
        object(index).integer = op == 0x88 ? 1 : 0;
        return false;
      }
      case 0x74: {  // TUPLE
        auto items = pop_mark();
        charge(sizeof(uint32_t) * items.size());
        object(push_kind(Kind::Tuple)).items = std::move(items);
        return false;
      }
      case 0x85:    // TUPLE1
      case 0x86:    // TUPLE2
      case 0x87: {  // TUPLE3
        size_t n = op - 0x84u;
        std::vector<uint32_t> items(n);
        for (size_t i = n; i-- > 0;) items[i] = pop();
        object(push_kind(Kind::Tuple)).items = std::move(items);
        return false;
      }
      case 0x73: {  // SETITEM
        uint32_t value = pop();
        uint32_t key = pop();
        charge(2 * sizeof(uint32_t));
        auto& dict = expect(top(), Kind::Dict, "the target");
        dict.items.push_back(key);
        dict.items.push_back(value);
        return false;
      }
      case 0x75: {  // SETITEMS
        auto items = pop_mark();
        if (items.size() % 2 != 0) error("SETITEMS with an odd number of items");
        charge(sizeof(uint32_t) * items.size());
        auto& dict = expect(top(), Kind::Dict, "the target");
        dict.items.insert(dict.items.end(), items.begin(), items.end());
        return false;
      }
      case 0x61: {  // APPEND
        uint32_t value = pop();
        charge(sizeof(uint32_t));
        expect(top(), Kind::List, "the target").items.push_back(value);
        return false;
      }
      case 0x65: {  // APPENDS
        auto items = pop_mark();
        charge(sizeof(uint32_t) * items.size());
        auto& list = expect(top(), Kind::List, "the target");
        list.items.insert(list.items.end(), items.begin(), items.end());
        return false;
      }
      case 0x58:    // BINUNICODE
      case 0x8c: {  // SHORT_BINUNICODE
        size_t n = op == 0x58 ? read_le<uint32_t>("a string length") : read_u8("a string length");
        std::string text = read_text(n, "a string");
        charge(text.size());
        object(push_kind(Kind::String)).text = std::move(text);
        return false;
      }
      case 0x4a:
        push_int(read_le<int32_t>("BININT's value"));
        return false;
      case 0x4b:
        push_int(read_u8("BININT1's value"));
        return false;
      case 0x4d:
        push_int(read_le<uint16_t>("BININT2's value"));
        return false;
      case 0x8a: {  // LONG1: little-endian two's complement of n bytes
        size_t n = read_u8("LONG1's length");
        if (n > 8) error("LONG1 integer of ", n, " bytes does not fit in 64 bits");
        auto raw = take(n, "LONG1's value");
        uint64_t value = 0;
        for (size_t i = 0; i < n; ++i) value |= static_cast<uint64_t>(raw[i]) << (8 * i);
        if (n > 0 && n < 8 && (static_cast<uint8_t>(raw[n - 1]) & 0x80u)) value |= ~0ull << (8 * n);
        push_int(static_cast<int64_t>(value));
        return false;
      }
      case 0x47: {  // BINFLOAT: big-endian double
        auto bits = read_le<uint64_t>("BINFLOAT's value");
        uint32_t index = push_kind(Kind::Float);
        object(index).real = std::bit_cast<double>(__builtin_bswap64(bits));
        return false;
      }
      case 0x71:
        memo_put(read_u8("BINPUT's index"));
        return false;
      case 0x72:
        memo_put(read_le<uint32_t>("LONG_BINPUT's index"));
        return false;
      case 0x68:
        memo_get(read_u8("BINGET's index"));
        return false;
      case 0x6a:
        memo_get(read_le<uint32_t>("LONG_BINGET's index"));
        return false;
      case 0x63:
        global();
        return false;
      case 0x51:
        persistent_load();
        return false;
      case 0x52:
        reduce();
        return false;
      case 0x62: {  // BUILD: sets attributes (HF state dicts carry `_metadata`); unused here
        uint32_t state = pop();
        expect(top(), Kind::Dict, "BUILD's target");
        expect(state, Kind::Dict, "BUILD's state");
        return false;
      }
      default:
        if (opcode_name(op) == nullptr) error("unknown opcode 0x", std::hex, static_cast<int>(op));
        error("opcode ", opcode_name(op), " is not allowed in a state_dict pickle");
    }
  }

  void memo_put(uint32_t key) {
    const uint32_t value = top();
    if (memo_.insert_or_assign(key, value).second) charge(kMemoEntryBytes);
  }
  void memo_get(uint32_t key) {
    auto found = memo_.find(key);
    if (found == memo_.end()) error("memo entry ", key, " was never stored");
    stack_.push_back(found->second);
  }

  void global() {
    std::string module = read_line("GLOBAL's module");
    std::string name = read_line("GLOBAL's name");
    std::string qualified = cat(module, ".", name);
    for (const auto& allowed : kAllowedGlobals) {
      if (qualified == allowed.name) {
        charge(qualified.size());
        uint32_t index = push_kind(Kind::Global);
        object(index).text = std::move(qualified);
        object(index).dtype = allowed.dtype;
        object(index).integer = allowed.storage ? 1 : 0;
        return;
      }
    }
    error("forbidden global '", qualified,
          "' (a state_dict only needs OrderedDict, torch tensors and storages)");
  }

  // torch.save's persistent id: ('storage', StorageType, key, location, numel) — plus
  // view_metadata in the legacy format, where only None (no view) is supported.
  void persistent_load() {
    auto items = expect(pop(), Kind::Tuple, "the persistent id").items;
    if (items.size() != 5 && items.size() != 6) {
      error("persistent id has ", items.size(), " fields, expected 5 or 6");
    }
    if (object(items[0]).kind != Kind::String || object(items[0]).text != "storage") {
      error("persistent id is not a 'storage' record");
    }
    const auto& type = expect(items[1], Kind::Global, "the storage type");
    if (type.integer != 1) error("'", type.text, "' is not a storage type");
    DType dtype = type.dtype;  // read before push_kind may move the arena
    std::string key = expect(items[2], Kind::String, "the storage key").text;
    expect(items[3], Kind::String, "the storage location");
    int64_t numel = expect(items[4], Kind::Int, "the storage size").integer;
    if (numel < 0) error("storage '", key, "' has a negative size ", numel);
    if (items.size() == 6 && object(items[5]).kind != Kind::None) {
      error("storage '", key, "' is a legacy storage view, which is not supported");
    }
    charge(key.size());
    uint32_t index = push_kind(Kind::Storage);
    object(index).dtype = dtype;
    object(index).text = std::move(key);
    object(index).integer = numel;
  }

  std::vector<int64_t> int_tuple(uint32_t index, const char* role) {
    std::vector<int64_t> values;
    for (uint32_t item : expect(index, Kind::Tuple, role).items) {
      int64_t value = expect(item, Kind::Int, role).integer;
      if (value < 0) error(role, " has a negative entry ", value);
      values.push_back(value);
    }
    return values;
  }

  void reduce() {
    uint32_t args_index = pop();
    // Copies, not references: pushing below may move the arena.
    std::string callable = expect(pop(), Kind::Global, "the callable").text;
    auto args = expect(args_index, Kind::Tuple, "the arguments").items;
    if (callable == kOrderedDict) {
      if (!args.empty()) error("OrderedDict() with arguments");
      push_kind(Kind::Dict);
    } else if (callable == kRebuildTensor) {
      // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
      if (args.size() != 6 && args.size() != 7) {
        error("_rebuild_tensor_v2 with ", args.size(), " arguments, expected 6 or 7");
      }
      expect(args[0], Kind::Storage, "the tensor's storage");
      int64_t offset = expect(args[1], Kind::Int, "the storage offset").integer;
      if (offset < 0) error("negative storage offset ", offset);
      auto shape = int_tuple(args[2], "the tensor's size");
      auto stride = int_tuple(args[3], "the tensor's stride");
      if (shape.size() != stride.size()) {
        error("tensor size has ", shape.size(), " dimensions but stride has ", stride.size());
      }
      expect(args[4], Kind::Bool, "requires_grad");
      expect(args[5], Kind::Dict, "backward_hooks");
      if (args.size() == 7 && object(args[6]).kind != Kind::None) {
        expect(args[6], Kind::Dict, "the tensor metadata");
      }
      charge(sizeof(int64_t) * (shape.size() + stride.size()));
      uint32_t index = push_kind(Kind::Tensor);
      object(index).items = {args[0]};
      object(index).integer = offset;
      object(index).dtype = object(args[0]).dtype;
      object(index).shape = std::move(shape);
      object(index).stride = std::move(stride);
    } else if (callable == kRebuildParameter) {
      // (data, requires_grad, backward_hooks): a Parameter is its tensor here.
      if (args.size() != 3)
        error("_rebuild_parameter with ", args.size(), " arguments, expected 3");
      expect(args[0], Kind::Tensor, "the parameter's data");
      expect(args[1], Kind::Bool, "requires_grad");
      expect(args[2], Kind::Dict, "backward_hooks");
      stack_.push_back(args[0]);
    } else {
      error("'", callable, "' cannot be called");
    }
  }

  std::span<const std::byte> bytes_;
  const std::string& label_;
  size_t pos_ = 0;
  size_t op_start_ = 0;
  uint8_t op_ = 0;
  const size_t memory_limit_;
  size_t memory_ = 0;
  std::vector<PickleObject> objects_;
  std::vector<uint32_t> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint32_t, uint32_t> memo_;
};

}  // namespace

std::string_view kind_name(Kind kind) {
  switch (kind) {
    case Kind::None:
      return "None";
    case Kind::Bool:
      return "bool";
    case Kind::Int:
      return "int";
    case Kind::Float:
      return "float";
    case Kind::String:
      return "str";
    case Kind::Tuple:
      return "tuple";
    case Kind::List:
      return "list";
    case Kind::Dict:
      return "dict";
    case Kind::Global:
      return "global";
    case Kind::Storage:
      return "storage";
    case Kind::Tensor:
      return "tensor";
  }
  return "?";
}

Unpickled unpickle(std::span<const std::byte> bytes, const std::string& label) {
  return Machine(bytes, label).run();
}

}  // namespace greenbert
