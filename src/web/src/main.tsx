/**
 * Entry point. Checks the session, shows the sign-in page until someone is signed in, then
 * the header and whichever page the address asks for.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { SessionUser } from './api-types';
import { AdminPage } from './admin-page';
import { AppHeader } from './app-header';
import { ChangePasswordForm } from './change-password-form';
import { ConnectorIdPage } from './connector-id-page';
import { ApplicationPage, DestinationPage, ProcessPage, UserPage } from './detail-page';
import { ListPage } from './list-page';
import { MachinePage } from './machine-page';
import { NoticePage, unknownPage } from './notice-page';
import { OverviewPage } from './overview-page';
import { SignInPage } from './sign-in-page';
import { type Route, useHashRoute } from './use-hash-route';
import { type Session, useSession } from './use-session';
import './styles/base.css';
import './styles/layout.css';
import './styles/forms.css';
import './styles/figures.css';
import './styles/shell.css';

function App() {
  const session = useSession();
  const route = useHashRoute();
  const { state } = session;

  switch (state.kind) {
    case 'checking':
      return <p className="page-status">Loading…</p>;
    case 'unreachable':
      return (
        <main className="page narrow">
          <NoticePage title="Strata" isError retry={() => void session.refresh()}>
            {state.message}
          </NoticePage>
        </main>
      );
    case 'signed-out':
      return <SignInPage onSignedIn={session.signedIn} />;
    case 'signed-in':
      return (
        <>
          <AppHeader
            user={state.user}
            route={route}
            showPasswordBanner={state.user.mustChangePassword && route.page !== 'password'}
            onSignedOut={session.lost}
          />
          <main className="page">
            <RoutedPage route={route} user={state.user} session={session} />
          </main>
        </>
      );
  }
}

interface RoutedPageProps {
  route: Route;
  user: SessionUser;
  session: Session;
}

function RoutedPage({ route, user, session }: RoutedPageProps) {
  // The hub opens nothing else to a password someone else set, so neither does the app.
  if (user.mustChangePassword) route = { page: 'password', params: route.params };
  const lost = session.lost;
  switch (route.page) {
    case 'overview':
      return <OverviewPage onSessionLost={lost} />;
    case 'list':
      return <ListPage key={route.list} list={route.list} route={route} onSessionLost={lost} />;
    case 'machine':
      return <MachinePage key={route.id} id={route.id} route={route} onSessionLost={lost} />;
    case 'user':
      return <UserPage key={route.name} name={route.name} route={route} onSessionLost={lost} />;
    case 'application':
      return (
        <ApplicationPage key={route.name} name={route.name} route={route} onSessionLost={lost} />
      );
    case 'process':
      return (
        <ProcessPage
          key={`${route.machine} ${route.pid}`}
          machine={route.machine}
          pid={route.pid}
          route={route}
          onSessionLost={lost}
        />
      );
    case 'destination':
      return (
        <DestinationPage
          key={route.address}
          address={route.address}
          route={route}
          onSessionLost={lost}
        />
      );
    case 'admin':
      return (
        <AdminPage
          section={route.section}
          route={route}
          isAdministrator={user.role === 'administrator'}
          onSessionLost={lost}
        />
      );
    case 'connector-id':
      return (
        <ConnectorIdPage canChange={user.role === 'administrator'} onSessionLost={session.lost} />
      );
    case 'password':
      return (
        <ChangePasswordForm
          userName={user.name}
          mustChange={user.mustChangePassword}
          onChanged={() => void session.refresh()}
        />
      );
    case 'not-found':
      return unknownPage(route.path);
  }
}

const rootElement = document.getElementById('root');
if (rootElement === null) throw new Error('index.html has no element with id "root"');

createRoot(rootElement).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
