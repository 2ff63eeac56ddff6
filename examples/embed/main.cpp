// Trains the notebook's model for 100 steps through mnemo's installed C++ API.
#include <iostream>

#include <mnemo/mnemo.h>

int main() {
  mnemo::api::TrainSettings settings;  // the notebook's: DelayComparison-v0, B=16, T=100, Adam 1e-3
  settings.steps = 100;
  mnemo::api::TrainOutcome out = mnemo::api::train(mnemo::api::Model::notebook(), settings, &std::cout);
  mnemo::api::Trials trials = mnemo::api::runTrials(out.model, 20);
  std::cout << "mnemo " << mnemo::api::version() << ": loss " << out.history.loss.back() << " after step "
            << out.model.step() << "; " << trials["hidden"].shape[0] << " time points in 20 trials\n";
}
