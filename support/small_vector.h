// SmallVector: a vector of plain values whose first N elements live inside the object itself, so
// the common short list (a node's operands, its uses) needs no heap block of its own and sits in
// the same cache lines as its owner. Past N it moves to the heap like std::vector. It reads like a
// std::vector (begin/end, size, operator[], empty, front, back, data) and keeps only the edits
// mnemo's graph makes (push_back, resize, clear). Elements must be trivially copyable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <new>
#include <type_traits>
#include <vector>

namespace mnemo {

template <typename T, unsigned N>
class SmallVector {
  static_assert(std::is_trivially_copyable<T>::value, "SmallVector holds plain values only");
  static_assert(N > 0, "SmallVector needs room for at least one element inside");

 public:
  using value_type = T;
  using size_type = size_t;
  using reference = T&;
  using const_reference = const T&;
  using iterator = T*;
  using const_iterator = const T*;

  SmallVector() = default;
  SmallVector(std::initializer_list<T> init) { assign(init.begin(), init.end()); }
  explicit SmallVector(const std::vector<T>& v) { assign(v.data(), v.data() + v.size()); }
  SmallVector(const SmallVector& o) { assign(o.begin(), o.end()); }
  SmallVector(SmallVector&& o) noexcept { take(o); }
  SmallVector& operator=(const SmallVector& o) {
    if (this != &o) assign(o.begin(), o.end());
    return *this;
  }
  SmallVector& operator=(SmallVector&& o) noexcept {
    if (this != &o) {
      release();
      take(o);
    }
    return *this;
  }
  ~SmallVector() { release(); }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T* data() { return data_; }
  const T* data() const { return data_; }
  T* begin() { return data_; }
  T* end() { return data_ + size_; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }
  T& front() { return data_[0]; }
  const T& front() const { return data_[0]; }
  T& back() { return data_[size_ - 1]; }
  const T& back() const { return data_[size_ - 1]; }

  void push_back(const T& v) {
    if (size_ == capacity_) grow(2 * static_cast<size_t>(capacity_));
    data_[size_++] = v;
  }
  /// New elements (when growing) are value-initialized.
  void resize(size_t n) {
    if (n > capacity_) grow(n);
    for (size_t i = size_; i < n; ++i) data_[i] = T();
    size_ = static_cast<uint32_t>(n);
  }
  void clear() { size_ = 0; }
  /// The elements as a std::vector (a copy), for an API that takes one.
  std::vector<T> vec() const { return std::vector<T>(begin(), end()); }

  bool operator==(const SmallVector& o) const {
    if (size_ != o.size_) return false;
    for (size_t i = 0; i < size_; ++i)
      if (!(data_[i] == o.data_[i])) return false;
    return true;
  }
  bool operator!=(const SmallVector& o) const { return !(*this == o); }

 private:
  bool onHeap() const { return data_ != inline_; }
  void assign(const T* first, const T* last) {
    size_t n = static_cast<size_t>(last - first);
    if (n > capacity_) grow(n);
    if (n > 0) std::memcpy(static_cast<void*>(data_), first, n * sizeof(T));
    size_ = static_cast<uint32_t>(n);
  }
  void grow(size_t wanted) {
    T* fresh = static_cast<T*>(std::malloc(wanted * sizeof(T)));
    if (fresh == nullptr) throw std::bad_alloc();
    if (size_ > 0) std::memcpy(static_cast<void*>(fresh), data_, size_ * sizeof(T));
    release();
    data_ = fresh;
    capacity_ = static_cast<uint32_t>(wanted);
  }
  void release() {
    if (onHeap()) std::free(data_);
    data_ = inline_;
    capacity_ = N;
  }
  // Leaves \p o empty. A heap block changes hands; inline elements are copied.
  void take(SmallVector& o) {
    if (o.onHeap()) {
      data_ = o.data_;
      capacity_ = o.capacity_;
    } else if (o.size_ > 0) {
      std::memcpy(static_cast<void*>(inline_), o.inline_, o.size_ * sizeof(T));
    }
    size_ = o.size_;
    o.data_ = o.inline_;
    o.capacity_ = N;
    o.size_ = 0;
  }

  T* data_ = inline_;
  uint32_t size_ = 0;
  uint32_t capacity_ = N;
  T inline_[N];
};

}  // namespace mnemo
