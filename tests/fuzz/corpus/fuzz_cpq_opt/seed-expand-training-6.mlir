// expected-error @+1 {{the module already has a function named 'train_step'}}
module {
  func @train_step() {
    return
  }
}
